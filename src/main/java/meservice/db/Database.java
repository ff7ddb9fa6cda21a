package meservice.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import meservice.config.AppConfig;
import meservice.config.ConfigException;

/**
 * The service's two ways to PostgreSQL, shared across its event loops: a pool for writes and
 * migrations, and a pipelined client for the hot-path read.
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
   * behind each other's fsync.
   */
  public static Pool pool(Vertx vertx, AppConfig config) {
    PoolOptions options = new PoolOptions()
        .setMaxSize(config.dbPoolSize())
        // A bounded queue: past it the caller gets a fast 503 instead of an ever-growing backlog.
        .setMaxWaitQueueSize(config.dbPoolSize() * 64)
        .setConnectionTimeout(2)
        .setName("me-service");
    return PgBuilder.pool()
        .with(options)
        .connectingTo(connectOptions(config.databaseUrl()))
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
        .setMaxWaitQueueSize(config.dbPoolSize() * 64)
        .setConnectionTimeout(0)
        .setName("me-service-reads");
    return PgBuilder.client()
        .with(options)
        .connectingTo(connectOptions(config.databaseUrl()).setPipeliningLimit(READ_PIPELINING_LIMIT))
        .using(vertx)
        .build();
  }
}
