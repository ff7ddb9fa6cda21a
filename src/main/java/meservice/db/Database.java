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
import java.util.function.Function;
import meservice.config.AppConfig;
import meservice.config.ConfigException;

/**
 * The service's two ways to PostgreSQL, shared across its event loops: a pool for writes and
 * migrations, and a pipelined client for the hot-path read. Every wait on either is bounded, so a
 * database that is down, saturated or stuck costs a fast 503 rather than a request that hangs: a
 * full wait queue fails at once, a connection that cannot be opened fails after the connect
 * timeout, and the server cancels any statement that runs past the statement timeout. A
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
      return PgConnectOptions.fromUri(databaseUrl)
          .setCachePreparedStatements(true)
          .setPreparedStatementCacheMaxSize(64);
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
        .using(vertx)
        .build();
  }

  /**
   * The pool of a one-shot command ({@code migrate}, {@code apikey}, {@code user}): opened for
   * {@code work} and closed after it, but the outcome does not wait for the close. After a
   * connection timeout, vertx-sql-client 5.0.x can fail a pool's waiter twice and leave its close
   * incomplete forever (eclipse-vertx/vertx-sql-client#1567): a command against a database that
   * never answered hung instead of saying so.
   */
  public static <T> Future<T> once(Vertx vertx, AppConfig config, Function<Pool, Future<T>> work) {
    Pool pool = pool(vertx, config);
    return work.apply(pool).andThen(done -> pool.close());
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
        .using(vertx)
        .build();
  }

  private static NetClientOptions net(AppConfig.DatabaseLimits limits) {
    return new NetClientOptions().setConnectTimeout(limits.connectTimeoutMillis());
  }

  /** A startup parameter: the session setting holds from the first statement on every connection. */
  private static PgConnectOptions bounded(AppConfig config) {
    return connectOptions(config.databaseUrl())
        .addProperty("statement_timeout", Integer.toString(config.dbLimits().statementTimeoutMillis()));
  }
}
