package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import meservice.config.AppConfig;
import meservice.config.ConfigException;

/**
 * The service behind a connection pooler such as PgBouncer. In session mode a client connection
 * is one PostgreSQL session, as without a pooler. In transaction mode (PgBouncer
 * {@code pool_mode=transaction}) consecutive transactions of one client connection may run on
 * different sessions, so nothing may outlive a transaction: no named prepared statements, no
 * session settings, no LISTEN. Start-up checks that each connection is what the configuration
 * says it is, because a mistake there fails silently later (a LISTEN heard by nobody).
 */
public final class Pooling {

  private Pooling() {}

  /** The request connections' options: statements unnamed and not cached under transaction pooling. */
  static PgConnectOptions forRequests(PgConnectOptions options, AppConfig.DatabasePooling pooling) {
    return pooling.transactionMode()
        ? options.setUseLayer7Proxy(true).setCachePreparedStatements(false)
        : options;
  }

  /**
   * The session settings each new request connection runs before it is used, as statements ending
   * in "; " (empty when none). {@code statement_timeout} is set with a statement, not as a startup
   * parameter: PgBouncer refuses startup parameters it does not track (or, listed in
   * {@code ignore_startup_parameters}, drops them). With a standby to read from
   * ({@code DATABASE_READ_URL}), writes wait until the synchronous standby has applied them
   * ({@code synchronous_commit = remote_apply}), so a GET answered after a PATCH was acknowledged
   * reads that PATCH or a later one there. Under transaction pooling a session setting would land
   * on whichever session ran it, so there both come from the role or database default, which
   * {@link #check} verifies.
   */
  static String sessionSettings(AppConfig.Database database, boolean writes) {
    if (database.pooling().transactionMode()) {
      return "";
    }
    long timeout = database.limits().statementTimeout().toMillis();
    String settings = timeout == 0 ? "" : Sql.SET_STATEMENT_TIMEOUT + timeout + "; ";
    return writes && database.readUrl() != null
        ? settings + Sql.SET_SYNCHRONOUS_COMMIT + SYNCHRONOUS_COMMIT + "; "
        : settings;
  }

  /** What writes wait for when reads may come from a standby. */
  static final String SYNCHRONOUS_COMMIT = "remote_apply";

  /**
   * Before migrations: the session URL (the revocation listener's) really keeps one session per
   * connection, and under transaction pooling the server's default statement timeout is the
   * configured one. Each failure is one line naming the setting to change.
   */
  public static Future<Void> check(Vertx vertx, SqlClient requests, AppConfig.Database database) {
    AppConfig.DatabasePooling pooling = database.pooling();
    PgConnectOptions session = Database.connectOptions(database.sessionUrl());
    Future<Void> sessions = pooledPerTransaction(vertx, session, database.limits()).compose(pooled -> pooled
        ? Future.failedFuture(new ConfigException(pooling.directUrl() != null
            ? "DATABASE_DIRECT_URL: connects through a transaction-mode pool; it must reach PostgreSQL "
                + "directly or through a session-mode pool (LISTEN for api key revocations needs a session)"
            : "DATABASE_POOL_MODE: DATABASE_URL connects through a transaction-mode pool (PgBouncer "
                + "pool_mode=transaction); set DATABASE_POOL_MODE=transaction and DATABASE_DIRECT_URL"))
        : Future.succeededFuture());
    if (!pooling.transactionMode()) {
      return sessions;
    }
    int wanted = (int) database.limits().statementTimeout().toMillis();
    return sessions.compose(v -> requests.query(Sql.SERVER_STATEMENT_TIMEOUT).execute())
        .compose(rows -> {
          int actual = rows.iterator().next().getInteger(0);
          return actual == wanted
              ? Future.<Void>succeededFuture()
              : Future.failedFuture(new ConfigException("DB_STATEMENT_TIMEOUT_MS: " + wanted
                  + " ms, but under DATABASE_POOL_MODE=transaction sessions keep the role's default, "
                  + actual + " ms; run ALTER ROLE <user> SET statement_timeout = " + wanted
                  + " (or ALTER DATABASE), or set DB_STATEMENT_TIMEOUT_MS=" + actual));
        })
        .compose(v -> database.readUrl() == null
            ? Future.<Void>succeededFuture()
            : requests.query(Sql.SERVER_SYNCHRONOUS_COMMIT).execute().compose(rows -> {
              String actual = rows.iterator().next().getString(0);
              return actual.equals(SYNCHRONOUS_COMMIT)
                  ? Future.<Void>succeededFuture()
                  : Future.failedFuture(new ConfigException("DATABASE_READ_URL: reads from a standby need "
                      + "writes acknowledged only once the standby applied them, but under "
                      + "DATABASE_POOL_MODE=transaction sessions keep the role's default synchronous_commit, "
                      + actual + "; run ALTER ROLE <user> SET synchronous_commit = " + SYNCHRONOUS_COMMIT
                      + " (or ALTER DATABASE)"));
            }));
  }

  /**
   * Whether two connections to {@code options} share PostgreSQL sessions between transactions.
   * The first connection runs a statement and goes idle; the second opens a transaction. A pooler
   * that lends sessions per transaction hands the second the idle session of the first (PgBouncer
   * reuses the most recent one), or gives the first a different session afterwards; a real
   * session never shows either.
   */
  static Future<Boolean> pooledPerTransaction(Vertx vertx, PgConnectOptions options, AppConfig.DatabaseLimits limits) {
    // Two connections with the request connections' bounds: a database that accepts and never
    // answers fails start-up after DB_CONNECT_TIMEOUT_MS instead of holding it for good.
    Pool one = Database.dedicated(vertx, options, limits, Database.deadlineMillis(limits), "me-service-check-1");
    Pool two = Database.dedicated(vertx, options, limits, Database.deadlineMillis(limits), "me-service-check-2");
    return one.getConnection().compose(first -> two.getConnection()
        .compose(second -> backend(first)
            .compose(before -> second.query("BEGIN").execute()
                .compose(v -> backend(second))
                .compose(borrowed -> backend(first)
                    .map(after -> borrowed.equals(before) || !after.equals(before))))
            .eventually(second::close))
        .eventually(first::close))
        .eventually(() -> Future.join(Database.close(one),
            Database.close(two)));
  }

  private static Future<Integer> backend(SqlConnection conn) {
    return conn.query(Sql.BACKEND_PID).execute().map(rows -> rows.iterator().next().getInteger(0));
  }
}
