-- users.id is a function of clerk_user_id (a name-based UUID, meservice.auth.Ids), so the primary
-- key already allows one row per Clerk user. A second unique index only adds a way to fail: the
-- PATCH upsert arbitrates on id (ON CONFLICT (id)), and PostgreSQL raises a conflict found on any
-- other unique index as an error (23505) instead of taking the update path, which concurrent
-- writes of one user hit under load (ConcurrentIntegrityTest). Nothing looks users up by Clerk id.
ALTER TABLE users DROP CONSTRAINT users_clerk_user_id_key;
