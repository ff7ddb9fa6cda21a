-- One row per API key. The secret is never stored: secret_hash is the SHA-256 of the whole key
-- and is how a presented key finds its row (the key holds 256 random bits, so a fast unsalted
-- hash cannot be brute-forced). prefix is the key's public start, shown by `apikey list` so an
-- operator can tell keys apart. org_id is meservice.auth.Ids.orgId(clerk_org_id).
CREATE TABLE api_keys (
  id           uuid        PRIMARY KEY,
  org_id       uuid        NOT NULL,
  clerk_org_id text        NOT NULL,
  name         text,
  prefix       text        NOT NULL,
  secret_hash  bytea       NOT NULL UNIQUE,
  scopes       text[]      NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE INDEX api_keys_by_org ON api_keys (org_id, created_at);
