package meservice.db;

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
   * connections serve what would take dozens unpipelined, at a fraction of Postgres's CPU.
   */
  public static SqlClient reads(Vertx vertx, AppConfig config) {
    int connections = Math.max(2, Runtime.getRuntime().availableProcessors());
    // No acquisition timeout: it costs a timer per query, and a pipelined connection is almost
    // never waited for; past the bounded queue a read fails fast (503) all the same.
    PoolOptions options = new PoolOptions()
        .setMaxSize(connections)
        .setMaxWaitQueueSize(config.dbLimits().maxWaitQueue())
        .setConnectionTimeout(0)
        .setName("me-service-reads");
    return PgBuilder.client()
        .with(options)
        .with(net(config.dbLimits()))
        .connectingTo(bounded(config).setPipeliningLimit(READ_PIPELINING_LIMIT))
        .withConnectHandler(Pooling.sessionSetup(config))
        .using(vertx)
        .build();
  }

  private static NetClientOptions net(AppConfig.DatabaseLimits limits) {
    return new NetClientOptions().setConnectTimeout(limits.connectTimeoutMillis());
  }

  /** The statement timeout is set by {@link Pooling#sessionSetup} on each new connection. */
  private static PgConnectOptions bounded(AppConfig config) {
    return Pooling.forRequests(connectOptions(config.databaseUrl()), config.dbPooling());
  }
}
