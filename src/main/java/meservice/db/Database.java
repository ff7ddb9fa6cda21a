package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's two ways to PostgreSQL, shared across its event loops: a pool for writes and
 * migrations, and a pipelined client for the hot-path read. Every wait on either is bounded, so a
 * database that is down, saturated or stuck costs a fast 503 rather than a request that hangs: a
 * full wait queue fails at once, a connection that cannot be opened fails after the connect
 * timeout, and the server cancels any statement that runs past the statement timeout
 * ({@link Pooling}: also behind PgBouncer). A
 * connection that dies is dropped and the next request opens a new one, so the service recovers
 * without a restart.
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
   * One statement in flight per connection: durable commits from several connections at once are
   * what Postgres groups into one WAL flush, whereas commits pipelined on one connection queue
   * behind each other's fsync. Waiting for a connection is bounded by the connect timeout.
   */
  public static Pool pool(Vertx vertx, AppConfig config) {
    AppConfig.DatabaseLimits limits = config.dbLimits();
    PoolOptions options = new PoolOptions()
        .setMaxSize(config.dbPoolSize())
        .setMaxWaitQueueSize(limits.maxWaitQueue())
        .setConnectionTimeout(limits.connectTimeoutMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("me-service");
    return PgBuilder.pool()
        .with(options)
        .with(net(limits))
        .connectingTo(bounded(config))
        .withConnectHandler(Pooling.sessionSetup(config))
        .using(vertx)
        .build();
  }

  /**
   * Reads pipelined: many queries share a connection's round trips and its backend, so a few
   * connections serve what would take dozens unpipelined, at a fraction of Postgres's CPU. The
   * connections are opened on the caller's event loop ({@link ReadConnections} calls this from each
   * API verticle's {@code start}), so a query and its answer never change threads. Each loop's
   * client is its own pool, so each has its own name: pools of one name share their meters, and
   * Micrometer warns at start-up when the second registers them again.
   */
  static SqlClient reads(Vertx vertx, AppConfig config, int index, int connections) {
    // No acquisition timeout: it costs a timer per query, and a pipelined connection is almost
    // never waited for; past the bounded queue a read fails fast (503) all the same.
    PoolOptions options = new PoolOptions()
        .setMaxSize(connections)
        .setMaxWaitQueueSize(config.dbLimits().maxWaitQueue())
        .setConnectionTimeout(0)
        .setName("me-service-reads-" + index);
    return PgBuilder.client()
        .with(options)
        .with(net(config.dbLimits()))
        .connectingTo(bounded(config).setPipeliningLimit(READ_PIPELINING_LIMIT))
        .withConnectHandler(Pooling.sessionSetup(config))
        .using(vertx)
        .build();
  }

  /**
   * Closes {@code client}, waiting at most {@code seconds}: Vert.x 5.0.7's pool never completes
   * {@code close()} once a wait for a connection has timed out ("Promise already completed" in the
   * log; eclipse-vertx/vertx-sql-client#1567), and a command or a shutdown must not hang on it.
   * The connections left behind go with the process.
   */
  public static Future<Void> closeWithin(SqlClient client, int seconds) {
    return client.close()
        .timeout(seconds, TimeUnit.SECONDS)
        .recover(err -> {
          LOG.warn("database pool not closed after {} s ({}); leaving its connections to the process exit",
              seconds, err.getMessage());
          return Future.succeededFuture();
        });
  }

  private static NetClientOptions net(AppConfig.DatabaseLimits limits) {
    return new NetClientOptions().setConnectTimeout(limits.connectTimeoutMillis());
  }

  /** The statement timeout is set by {@link Pooling#sessionSetup} on each new connection. */
  private static PgConnectOptions bounded(AppConfig config) {
    return Pooling.forRequests(connectOptions(config.databaseUrl()), config.dbPooling());
  }
}
