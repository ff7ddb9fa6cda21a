package meservice.db;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's ways to PostgreSQL, shared across its event loops: a pool for writes, a pipelined
 * client for the hot-path read, and single dedicated connections (migrations, the revocation
 * listener). Every wait on them is bounded, so a database that is down, saturated, stuck or
 * silent costs a fast 503 rather than a request that hangs: a full wait queue fails at once, a
 * connection that cannot be opened fails after the connect timeout, the server cancels any
 * statement that runs past the statement timeout ({@link Pooling}: also behind PgBouncer), and a
 * connection that stops answering altogether is closed by its own socket
 * ({@link #deadlineMillis}). A connection that dies is dropped and the next request opens a new
 * one, so the service recovers without a restart.
 */
public final class Database {

  /**
   * Queries in flight per read connection. Measured (BENCHMARKS.md): 16 starves 256 connections
   * of throughput, 256 lets a queue build on one backend and p99 passes a second.
   */
  private static final int READ_PIPELINING_LIMIT = 64;
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  /** How long closing a pool may take before it is left to the process exit. */
  public static final int CLOSE_SECONDS = 5;

  /**
   * How long a write waits for a primary when there is no statement timeout, hence no deadline
   * ({@code DB_STATEMENT_TIMEOUT_MS=0}): read-only servers are not retried for good.
   */
  private static final int NO_DEADLINE_PRIMARY_WAIT_MS = 10_000;

  /** Past the statement timeout, time for the server's cancellation to reach us. */
  static final int SILENCE_MARGIN_MS = 3_000;

  /**
   * A pooled connection unused for this long is closed by the pool (checked every
   * {@link #IDLE_CHECK_MS}): together well under {@link #SILENCE_MARGIN_MS}, so the read deadline
   * never cuts a healthy connection that was merely idle before a slow statement.
   */
  private static final int IDLE_MS = 2_000;
  private static final int IDLE_CHECK_MS = 500;

  /**
   * TCP_USER_TIMEOUT: a healthy path acknowledges within milliseconds; this rides out several
   * retransmissions on a lossy one.
   */
  private static final int UNACKNOWLEDGED_MS = 10_000;

  private Database() {}

  public static PgConnectOptions connectOptions(String databaseUrl) {
    try {
      PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl)
          .setCachePreparedStatements(true)
          .setPreparedStatementCacheMaxSize(64);
      // PgBouncer refuses startup parameters it does not track; PostgreSQL 12+ already sends
      // floats exactly at its default of 1, so the client's extra_float_digits=2 buys nothing.
      options.getProperties().remove("extra_float_digits");
      return options;
    } catch (RuntimeException e) {
      throw new ConfigException("DATABASE_URL: cannot be parsed as a PostgreSQL URL");
    }
  }

  /**
   * How long a request connection may read nothing at all before it is closed, and a request's
   * database call may take at most. A live server answers every statement within the statement
   * timeout (with a result, or the 57014 that cancels it), so a connection silent for longer
   * belongs to a failed-over, partitioned or frozen server that closed nothing. Closing it fails
   * what was sent on it (503), frees its slot in the pool, and also ends a connection attempt
   * whose handshake never gets an answer. The per-call deadline covers what the socket cannot: a
   * read queued behind full connections, which would otherwise meet a second silent connection.
   * {@code 0} (no statement timeout, so no answer is ever late): none.
   */
  public static int deadlineMillis(AppConfig.DatabaseLimits limits) {
    return limits.statementTimeout().isZero() ? 0 : (int) limits.statementTimeout().toMillis() + SILENCE_MARGIN_MS;
  }

  /**
   * One statement in flight per connection: durable commits from several connections at once are
   * what Postgres groups into one WAL flush, whereas commits pipelined on one connection queue
   * behind each other's fsync. Waiting for a connection is bounded by the connect timeout; each
   * new connection is checked to be on the primary ({@link PrimaryOnly}).
   */
  public static WritePool pool(Vertx vertx, AppConfig.Database database, PrimaryOnly primary) {
    AppConfig.DatabaseLimits limits = database.limits();
    PoolOptions options = retiringIdle(new PoolOptions())
        .setMaxSize(database.poolSize())
        .setMaxWaitQueueSize(limits.maxWaitQueue())
        .setConnectionTimeout((int) limits.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("me-service");
    NetClientOptions net = net(limits, deadlineMillis(limits));
    Pool pool = PgBuilder.pool()
        .with(options)
        .with(net)
        .connectingTo(bounded(database, database.url()))
        .withConnectHandler(primary.connectHandler(Pooling.sessionSettings(database, true)))
        .using(vertx)
        .build();
    int deadline = deadlineMillis(limits);
    return new WritePool(vertx, pool, primary, deadline == 0 ? NO_DEADLINE_PRIMARY_WAIT_MS : deadline);
  }

  /** The write pool of a command ({@code migrate}, {@code apikey}, {@code user}): nothing scrapes its meters. */
  public static WritePool pool(Vertx vertx, AppConfig.Database database) {
    return pool(vertx, database, new PrimaryOnly(new SimpleMeterRegistry()));
  }

  /**
   * Reads pipelined: many queries share a connection's round trips and its backend, so a few
   * connections serve what would take dozens unpipelined, at a fraction of Postgres's CPU. The
   * connections are opened on the caller's event loop ({@link ReadConnections} calls this from each
   * API verticle's {@code start}), so a query and its answer never change threads. Each loop's
   * client is its own pool, so each has its own name: pools of one name share their meters, and
   * Micrometer warns at start-up when the second registers them again. These read from the
   * primary ({@code DATABASE_URL}), checked as the write pool's connections are: a standby's rows
   * may lag behind a write this instance or another one has acknowledged.
   */
  static SqlClient reads(Vertx vertx, AppConfig.Database database, PrimaryOnly primary, int index, int connections) {
    return pipelined(vertx, database, database.url(), connections, "me-service-reads-" + index,
        primary.connectHandler(Pooling.sessionSettings(database, false)));
  }

  /** As {@link #reads}, on {@code DATABASE_READ_URL}: a standby, or whatever server that name reaches. */
  static SqlClient standbyReads(Vertx vertx, AppConfig.Database database, int index, int connections) {
    String settings = Pooling.sessionSettings(database, false);
    Handler<SqlConnection> setup = settings.isEmpty()
        ? SqlConnection::close
        : conn -> conn.query(settings).execute().onComplete(ar -> conn.close());
    return pipelined(vertx, database, database.readUrl(), connections, "me-service-standby-reads-" + index, setup);
  }

  /**
   * The one pipelined connection that looks up presented API keys, on the primary (a revoked
   * key's row may not have reached a standby yet). A flood of unknown keys queues here (bounded,
   * then 503) and never waits for, nor holds, a connection that a PATCH or a GET needs.
   */
  public static SqlClient apiKeyLookups(Vertx vertx, AppConfig.Database database, PrimaryOnly primary) {
    return pipelined(vertx, database, database.url(), 1, "me-service-api-keys",
        primary.connectHandler(Pooling.sessionSettings(database, false)));
  }

  private static SqlClient pipelined(Vertx vertx, AppConfig.Database database, String url, int connections, String name,
      Handler<SqlConnection> setup) {
    AppConfig.DatabaseLimits limits = database.limits();
    // No acquisition timeout: it costs a timer per query, and a pipelined connection is almost
    // never waited for; past the bounded queue a read fails fast (503) all the same.
    PoolOptions options = retiringIdle(new PoolOptions())
        .setMaxSize(connections)
        .setMaxWaitQueueSize(limits.maxWaitQueue())
        .setConnectionTimeout(0)
        .setName(name);
    NetClientOptions net = net(limits, deadlineMillis(limits));
    return PgBuilder.client()
        .with(options)
        .with(net)
        .connectingTo(bounded(database, url).setPipeliningLimit(READ_PIPELINING_LIMIT))
        .withConnectHandler(setup)
        .using(vertx)
        .build();
  }

  /**
   * One connection at a time, leased for as long as its user needs it (migrations, a LISTEN),
   * with the same connect bounds as the pool and a read deadline of {@code silenceMillis}
   * ({@code 0}: none, for statements that may rightly run long). No statement timeout.
   */
  public static Pool dedicated(Vertx vertx, PgConnectOptions options, AppConfig.DatabaseLimits limits,
      int silenceMillis, String name) {
    return dedicatedBuilder(options, limits, silenceMillis, name).using(vertx).build();
  }

  /**
   * As {@link #dedicated}, for a connection that must be on the primary (a LISTEN: a standby
   * refuses it during recovery): one opened on a read-only server is closed at once
   * ({@link PrimaryOnly}) and the lease fails, for its user to try again.
   */
  public static Pool dedicatedToPrimary(Vertx vertx, PgConnectOptions options, AppConfig.DatabaseLimits limits,
      int silenceMillis, String name, PrimaryOnly primary) {
    return dedicatedBuilder(options, limits, silenceMillis, name)
        .withConnectHandler(primary.connectHandler(""))
        .using(vertx)
        .build();
  }

  private static ClientBuilder<Pool> dedicatedBuilder(PgConnectOptions options, AppConfig.DatabaseLimits limits,
      int silenceMillis, String name) {
    PoolOptions pool = new PoolOptions()
        .setMaxSize(1)
        .setConnectionTimeout((int) limits.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName(name);
    return PgBuilder.pool().with(pool).with(net(limits, silenceMillis)).connectingTo(options);
  }

  /**
   * Closes {@code client}, waiting at most {@link #CLOSE_SECONDS}: Vert.x 5.0.7's pool never
   * completes {@code close()} once a wait for a connection has timed out ("Promise already
   * completed" in the log; eclipse-vertx/vertx-sql-client#1567), and a command or a shutdown must
   * not hang on it. The connections left behind go with the process. Every client the service
   * opens is closed through here.
   */
  public static Future<Void> close(SqlClient client) {
    return client.close()
        .timeout(CLOSE_SECONDS, TimeUnit.SECONDS)
        .recover(err -> {
          LOG.warn("database pool not closed after {} s ({}); leaving its connections to the process exit",
              CLOSE_SECONDS, err.getMessage());
          return Future.succeededFuture();
        });
  }

  private static PoolOptions retiringIdle(PoolOptions options) {
    return options.setIdleTimeout(IDLE_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setPoolCleanerPeriod(IDLE_CHECK_MS);
  }

  /**
   * The connect timeout covers the TCP handshake only; the read deadline ends everything after
   * it. TCP_USER_TIMEOUT (epoll only; ignored on NIO) has the kernel drop a connection whose sent
   * bytes stay unacknowledged for {@link #UNACKNOWLEDGED_MS}: a path that went dark, also on a
   * dedicated connection without a read deadline (migrations). It cannot see a frozen server
   * whose kernel still acknowledges; the read deadline does. TCP keepalive is left off: Vert.x 5.0.7
   * cannot set its idle time per socket, and at the kernel's default (2 hours) it would never
   * probe a connection the pool retires after {@link #IDLE_MS}.
   */
  private static NetClientOptions net(AppConfig.DatabaseLimits limits, int silenceMillis) {
    NetClientOptions options = new NetClientOptions()
        .setConnectTimeout((int) limits.connectTimeout().toMillis())
        .setReadIdleTimeout(silenceMillis)
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    options.setTcpUserTimeout(UNACKNOWLEDGED_MS);
    return options;
  }

  /** The statement timeout is set by {@link Pooling#sessionSettings} on each new connection. */
  private static PgConnectOptions bounded(AppConfig.Database database, String url) {
    return Pooling.forRequests(connectOptions(url), database.pooling());
  }
}
