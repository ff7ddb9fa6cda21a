-- UserSql.FIND_USER, the same text, as a prepared statement with one uuid parameter.
-- pgbench variables cannot hold a generated uuid, so each client loads one random seeded user
-- once (first transaction only) and then repeats the service's statement for it.
\if :loaded = 0
\set pick random(1, :users)
SELECT id AS uid, clerk_user_id AS sub, 1 AS loaded FROM bench_users WHERE n = :pick \gset
\endif
SELECT preferences, is_staff, version FROM users WHERE id = :uid;
