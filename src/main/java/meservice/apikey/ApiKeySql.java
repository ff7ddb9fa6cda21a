package meservice.apikey;

/** Every statement on the {@code api_keys} table. */
public final class ApiKeySql {

  private ApiKeySql() {}

  /** The LISTEN/NOTIFY channel on which a revoked key's id is announced to every instance. */
  public static final String API_KEY_REVOKED_CHANNEL = "api_key_revoked";

  public static final String INSERT_API_KEY =
      "INSERT INTO api_keys (id, org_id, clerk_org_id, name, prefix, secret_hash, scopes) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at";

  public static final String LIST_API_KEYS =
      "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at "
          + "FROM api_keys WHERE org_id = $1 ORDER BY created_at, id";

  /** Looked up by the hash of the whole key: there is no partial match to time. */
  public static final String FIND_API_KEY =
      "SELECT id, org_id, scopes, revoked_at IS NOT NULL FROM api_keys WHERE secret_hash = $1";

  /**
   * Revocation and its announcement in one statement: pg_notify is delivered when the UPDATE
   * commits, never for a rolled-back one. Revoking twice keeps the first time and announces again.
   */
  public static final String REVOKE_API_KEY =
      "WITH revoked AS (UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 "
          + "RETURNING id, revoked_at) "
          + "SELECT revoked_at, pg_notify('" + API_KEY_REVOKED_CHANNEL + "', id::text) FROM revoked";

  /** One batched write of the last-use times collected in memory ($1 ids, $2 times). */
  public static final String TOUCH_API_KEYS =
      "UPDATE api_keys AS k SET last_used_at = GREATEST(k.last_used_at, u.used_at) "
          + "FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, used_at) WHERE k.id = u.id";
}
