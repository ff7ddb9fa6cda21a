package meservice.db;

import java.util.List;
import java.util.stream.Collectors;

/** Every SQL statement the service runs, in one place. Migrations live in resources/db/migration. */
public final class Sql {

  private Sql() {}

  public static final String FIND_USER =
      "SELECT preferences, is_staff, version FROM users WHERE id = $1";

  /** Many users' rows in one statement, each with its id: the GET path's batched read. */
  public static final String FIND_USERS =
      "SELECT id, preferences, is_staff, version FROM users WHERE id = ANY($1::uuid[])";

  /**
   * JSON Merge Patch of the preferences in one round trip, atomic per row: $3 holds the keys to
   * set, $4 the keys to clear. Concurrent patches of different keys therefore never lose each
   * other's writes; for the same key the last commit wins.
   *
   * <p>$5 is {@code If-Match} as the versions it accepts ({@code NULL}: unconditional). The check
   * runs under the row lock of the upsert itself, so a write that raced in between makes this one
   * write nothing and return no row (412), never overwrite. Version 0 names "no row yet"; a row is
   * only created when that is accepted (or the row exists and the conflict path checks it).
   *
   * <p>The transaction is marked to be announced after its commit ({@code ANNOUNCE_USER_CHANGE}),
   * so the trigger of migration V5 does not notify inside it.
   */
  public static final String PATCH_PREFERENCES =
      "INSERT INTO users AS u (id, clerk_user_id, preferences) "
          + "SELECT $1::uuid, $2::text, $3::jsonb "
          + "FROM (SELECT set_config('me_service.announced_after_commit', 'on', true)) AS after_commit "
          + "WHERE $5::bigint[] IS NULL OR 0 = ANY($5::bigint[]) "
          + "OR EXISTS (SELECT 1 FROM users WHERE id = $1::uuid) "
          + "ON CONFLICT (id) DO UPDATE "
          + "SET preferences = (u.preferences || $3::jsonb) - $4::text[], "
          + "version = u.version + 1, updated_at = now() "
          + "WHERE $5::bigint[] IS NULL OR u.version = ANY($5::bigint[]) "
          + "RETURNING preferences, is_staff, version";

  /**
   * The change {@code PATCH_PREFERENCES} wrote (user $1, version $2), announced on
   * {@link #USER_CHANGED_CHANNEL} once it committed, in the trigger's payload ({@code <id>:<version>}).
   * Its own transaction, which waits for no WAL flush: it holds PostgreSQL's notify lock for
   * microseconds, where announcing inside the write held it across the write's flush (migration V5).
   */
  public static final String ANNOUNCE_USER_CHANGE =
      "SELECT set_config('synchronous_commit', 'off', true), pg_notify('" + Sql.USER_CHANGED_CHANNEL
          + "', $1::uuid::text || ':' || $2::bigint)";

  public static final String SET_STAFF =
      "INSERT INTO users AS u (id, clerk_user_id, is_staff) VALUES ($1, $2, $3) "
          + "ON CONFLICT (id) DO UPDATE SET is_staff = EXCLUDED.is_staff, "
          + "version = u.version + 1, updated_at = now()";

  public static final String PING = "SELECT 1";

  /** Run on each new request connection, with the timeout in milliseconds appended. */
  static final String SET_STATEMENT_TIMEOUT = "SET statement_timeout = ";

  /** Run on each new write connection when reads may come from a standby, with the level appended. */
  static final String SET_SYNCHRONOUS_COMMIT = "SET synchronous_commit = ";

  /**
   * Asked of each new connection that must reach the primary: {@code on} on a standby (and on a
   * server made read-only), as libpq's {@code target_session_attrs=read-write} asks.
   */
  static final String TRANSACTION_READ_ONLY = "SHOW transaction_read_only";

  /** The statement timeout a session gets from the server, role and database defaults, in ms. */
  static final String SERVER_STATEMENT_TIMEOUT =
      "SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'";

  /** The synchronous_commit a session gets from the server, role and database defaults. */
  static final String SERVER_SYNCHRONOUS_COMMIT =
      "SELECT setting FROM pg_settings WHERE name = 'synchronous_commit'";

  static final String BACKEND_PID = "SELECT pg_backend_pid()";

  /** The LISTEN/NOTIFY channel on which a revoked key's id is announced to every instance. */
  public static final String API_KEY_REVOKED_CHANNEL = "api_key_revoked";

  /**
   * The LISTEN/NOTIFY channel on which a user row's change is announced to every instance: by the
   * service right after its PATCH commits ({@code ANNOUNCE_USER_CHANGE}), by a trigger inside any
   * other changing transaction (migrations V4, V5): {@code <id>:<version>}, {@code <id>:} for a
   * deleted row, {@code *} for a truncated table.
   */
  public static final String USER_CHANGED_CHANNEL = "user_changed";

  /** Listens on every one of {@code channels}, in one round trip. */
  static String listen(List<String> channels) {
    return channels.stream().map(channel -> "LISTEN " + channel).collect(Collectors.joining("; "));
  }

  /**
   * The listener's heartbeat: a row only if the session answering listens on every one of
   * {@code channels}. Behind a pooler that lends sessions per transaction it may not be.
   */
  static String listening(List<String> channels) {
    return "SELECT 1 FROM pg_listening_channels() AS c WHERE c IN ("
        + channels.stream().map(channel -> "'" + channel + "'").collect(Collectors.joining(", "))
        + ") HAVING count(*) = " + channels.size();
  }

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

  /** "relation already exists, skipping" notices are expected on every start. */
  static final String QUIET_NOTICES = "SET LOCAL client_min_messages = warning";

  /**
   * Migrations may rightly run longer than DB_STATEMENT_TIMEOUT_MS (an index on a big table, or
   * waiting for another instance's migrations under the lock below); requests may not. Their
   * connection is not given the timeout, but a role or database default could still set one.
   */
  static final String NO_STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = 0";

  static final String MIGRATIONS_TABLE =
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
          + "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

  /**
   * Serialises concurrent migrators (several instances starting at once), from their first
   * statement on, the bookkeeping table's creation included; released when the transaction ends.
   */
  static final String MIGRATIONS_LOCK = "SELECT pg_advisory_xact_lock(7283940112)";

  /**
   * Added by the runner, not by a migration, so a database migrated before checksums existed gains
   * the column at its next start; its rows hold NULL until the runner records their checksums.
   */
  static final String MIGRATIONS_CHECKSUM_COLUMN = "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text";

  static final String APPLIED_MIGRATIONS = "SELECT version, checksum FROM schema_migrations";

  static final String RECORD_MIGRATION = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)";

  static final String RECORD_CHECKSUM = "UPDATE schema_migrations SET checksum = $2 WHERE version = $1";
}
