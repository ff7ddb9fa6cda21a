package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import meservice.config.AppConfig;
import meservice.resources.PackagedResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code db/migration/V<n>__<name>.sql} in order, once each, under an advisory lock. */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** In order; a new migration is appended here and never edited once released. */
  private static final List<String> FILES = List.of(
      "V1__users.sql",
      "V2__api_keys.sql",
      "V3__users_clerk_user_id_not_unique.sql",
      "V4__users_changed_notify.sql",
      "V5__users_changed_after_commit.sql");

  private record Migration(int version, String name, String sql) {}

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
  public Future<Integer> apply(Vertx vertx, AppConfig config) {
    PgConnectOptions options = Pooling.forRequests(Database.connectOptions(config.databaseUrl()), config.dbPooling());
    Pool pool = Database.dedicated(vertx, options, config.dbLimits(), 0, "me-service-migrations");
    return apply(pool).eventually(() -> Database.close(pool));
  }

  private Future<Integer> apply(Pool pool) {
    return pool.withTransaction(conn -> conn.query(Sql.QUIET_NOTICES).execute()
        .compose(v -> conn.query(Sql.NO_STATEMENT_TIMEOUT).execute())
        // The lock before the table: CREATE TABLE IF NOT EXISTS is not safe against itself, and
        // instances starting together on an empty database died of its duplicate-key error.
        .compose(v -> conn.query(Sql.MIGRATIONS_LOCK).execute())
        .compose(v -> conn.query(Sql.MIGRATIONS_TABLE).execute())
        .compose(v -> conn.query(Sql.APPLIED_VERSIONS).execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : migrations) {
            if (!applied.contains(m.version)) {
              chain = chain.compose(count -> applyOne(conn, m).map(count + 1));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> applyOne(SqlConnection conn, Migration m) {
    LOG.info("applying migration V{} {}", m.version, m.name);
    return conn.query(m.sql).execute()
        .compose(v -> conn.preparedQuery(Sql.RECORD_MIGRATION).execute(Tuple.of(m.version, m.name)))
        .mapEmpty();
  }

  private static Migration read(String file) {
    int separator = file.indexOf("__");
    int version = Integer.parseInt(file.substring(1, separator));
    String name = file.substring(separator + 2, file.length() - ".sql".length());
    return new Migration(version, name, PackagedResources.text("/db/migration/" + file));
  }
}
