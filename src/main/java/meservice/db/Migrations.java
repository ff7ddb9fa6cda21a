package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import meservice.config.AppConfig;
import meservice.crypto.Digests;
import meservice.resources.PackagedResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code db/migration/V<n>__<name>.sql} in order, once each, under an advisory lock, and
 * records each one's checksum. A migration whose text no longer matches the checksum recorded when
 * it was applied stops start-up, naming the file: an applied migration is never edited (the change
 * goes in a new one). An applied migration recorded without a checksum gets this build's.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** In order; a new migration is appended here. */
  private static final List<String> FILES = List.of(
      "V1__users.sql",
      "V2__api_keys.sql",
      "V3__users_clerk_user_id_not_unique.sql",
      "V4__users_changed_notify.sql",
      "V5__users_changed_after_commit.sql");

  private record Migration(int version, String file, String name, String sql, String checksum) {}

  private final List<Migration> migrations;

  private Migrations(List<Migration> migrations) {
    this.migrations = migrations;
  }

  /** The versions this build applies, in order. */
  public List<Integer> versions() {
    return migrations.stream().map(Migration::version).toList();
  }

  /** Reads the scripts from the classpath; call at start-up, off the event loop. */
  public static Migrations load() {
    return new Migrations(FILES.stream().map(Migrations::read).toList());
  }

  /**
   * On a connection of its own, not the pool's: waiting for another instance's migrations, or a
   * migration itself, may rightly stay quiet for longer than the pool's read deadline allows.
   */
  public Future<Integer> apply(Vertx vertx, AppConfig.Database database) {
    PgConnectOptions options = Pooling.forRequests(Database.connectOptions(database.url()), database.pooling());
    Pool pool = Database.dedicated(vertx, options, database.limits(), 0, "me-service-migrations");
    return apply(pool).eventually(() -> Database.close(pool));
  }

  private Future<Integer> apply(Pool pool) {
    return pool.withTransaction(conn -> conn.query(Sql.QUIET_NOTICES).execute()
        .compose(v -> conn.query(Sql.NO_STATEMENT_TIMEOUT).execute())
        // The lock before the table: CREATE TABLE IF NOT EXISTS is not safe against itself (two
        // instances starting together on an empty database, one fails on a duplicate key).
        .compose(v -> conn.query(Sql.MIGRATIONS_LOCK).execute())
        .compose(v -> conn.query(Sql.MIGRATIONS_TABLE).execute())
        .compose(v -> conn.query(Sql.MIGRATIONS_CHECKSUM_COLUMN).execute())
        .compose(v -> conn.query(Sql.APPLIED_MIGRATIONS).execute())
        .compose(rows -> {
          Map<Integer, String> applied = new HashMap<>();
          for (Row row : rows) {
            applied.put(row.getInteger(0), row.getString(1));
          }
          for (Migration m : migrations) {
            String recorded = applied.get(m.version);
            if (recorded != null && !recorded.equals(m.checksum)) {
              return Future.failedFuture(new IllegalStateException("migration " + m.file
                  + " was changed after it was applied (its checksum differs from the one in schema_migrations):"
                  + " restore it, and make the change in a new migration"));
            }
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : migrations) {
            if (!applied.containsKey(m.version)) {
              chain = chain.compose(count -> applyOne(conn, m).map(count + 1));
            } else if (applied.get(m.version) == null) {
              chain = chain.compose(count -> recordChecksum(conn, m).map(count));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> applyOne(SqlConnection conn, Migration m) {
    LOG.info("applying migration V{} {}", m.version, m.name);
    return conn.query(m.sql).execute()
        .compose(v -> conn.preparedQuery(Sql.RECORD_MIGRATION).execute(Tuple.of(m.version, m.name, m.checksum)))
        .mapEmpty();
  }

  private static Future<Void> recordChecksum(SqlConnection conn, Migration m) {
    LOG.info("recording the checksum of applied migration {}", m.file);
    return conn.preparedQuery(Sql.RECORD_CHECKSUM).execute(Tuple.of(m.version, m.checksum)).mapEmpty();
  }

  private static Migration read(String file) {
    int separator = file.indexOf("__");
    int version = Integer.parseInt(file.substring(1, separator));
    String name = file.substring(separator + 2, file.length() - ".sql".length());
    String sql = PackagedResources.text("/db/migration/" + file);
    return new Migration(version, file, name, sql, checksum(sql));
  }

  /** SHA-256 of the text, hex; line endings do not count (a checkout may have turned them into CRLF). */
  static String checksum(String sql) {
    return HexFormat.of().formatHex(Digests.sha256(sql.replace("\r\n", "\n")));
  }
}
