-- UserSql.PATCH_PREFERENCES, the same statement (pgbench numbers each variable occurrence as its own
-- parameter, so the repeated $3 becomes $3 and $5), with the parameters the service binds for
-- {"preferences":{"timezone":...}}: the set object and an empty clear list. Timezones alternate
-- so that every transaction writes, as the PATCH runs do. Then, as the service does once the write
-- committed, UserSql.ANNOUNCE_USER_CHANGE in a transaction of its own (migration V5).
\if :loaded = 0
\set pick random(1, :users)
SELECT id AS uid, clerk_user_id AS sub, 1 AS loaded FROM bench_users WHERE n = :pick \gset
\endif
\set flip random(0, 1)
\if :flip = 0
INSERT INTO users AS u (id, clerk_user_id, preferences) SELECT :uid::uuid, :sub::text, :set0::jsonb FROM (SELECT set_config('me_service.announced_after_commit', 'on', true)) AS after_commit ON CONFLICT (id) DO UPDATE SET preferences = (u.preferences || :set0::jsonb) - :clear::text[], version = u.version + 1, updated_at = now() RETURNING preferences, is_staff, version \gset
\else
INSERT INTO users AS u (id, clerk_user_id, preferences) SELECT :uid::uuid, :sub::text, :set1::jsonb FROM (SELECT set_config('me_service.announced_after_commit', 'on', true)) AS after_commit ON CONFLICT (id) DO UPDATE SET preferences = (u.preferences || :set1::jsonb) - :clear::text[], version = u.version + 1, updated_at = now() RETURNING preferences, is_staff, version \gset
\endif
SELECT set_config('synchronous_commit', 'off', true), pg_notify('user_changed', :uid::text || ':' || :version::text);
