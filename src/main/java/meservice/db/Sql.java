package meservice.db;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements of the database plumbing: sessions, pools, the change listener and migrations.
 * A feature's statements live in its own package ({@code me.UserSql}, {@code apikey.ApiKeySql});
 * migrations in resources/db/migration.
 */
public final class Sql {

  private Sql() {}

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
