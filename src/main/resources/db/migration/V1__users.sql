-- One row per Clerk user the service has written for. The id is derived from the Clerk user id
-- (see meservice.auth.Ids), so a user who was never written still has a stable id.
-- Preferences live in one JSONB object: a new preference key needs no migration.
CREATE TABLE users (
  id            uuid        PRIMARY KEY,
  clerk_user_id text        NOT NULL UNIQUE,
  is_staff      boolean     NOT NULL DEFAULT false,
  preferences   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version       bigint      NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
