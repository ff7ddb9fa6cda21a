package meservice.db;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigException;

/** Builds the one reactive pool the service shares across its event loops. */
public final class Database {

  private Database() {}

  public static PgConnectOptions connectOptions(String databaseUrl) {
    try {
      return PgConnectOptions.fromUri(databaseUrl)
          .setCachePreparedStatements(true)
          .setPreparedStatementCacheMaxSize(64)
          .setPipeliningLimit(16);
    } catch (RuntimeException e) {
      throw new ConfigException("DATABASE_URL: cannot be parsed as a PostgreSQL URL");
    }
  }

  /**
   * Every wait is bounded, so a database that is down, saturated or stuck costs a fast 503 rather
   * than a request that hangs: a full wait queue fails at once, a connection that cannot be had
   * (connecting included) fails after the connect timeout, and the server cancels any statement
   * that runs past the statement timeout. A connection that dies is dropped by the pool and the
   * next request opens a new one, so the service recovers without a restart.
   */
  public static Pool pool(Vertx vertx, AppConfig config) {
    AppConfig.DatabaseLimits limits = config.dbLimits();
    PoolOptions options = new PoolOptions()
        .setMaxSize(config.dbPoolSize())
        .setMaxWaitQueueSize(limits.maxWaitQueue())
        .setConnectionTimeout(limits.connectTimeoutMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("me-service");
    PgConnectOptions connect = connectOptions(config.databaseUrl());
    // A startup parameter: the session setting holds from the first statement on every connection.
    connect.addProperty("statement_timeout", Integer.toString(limits.statementTimeoutMillis()));
    return PgBuilder.pool()
        .with(options)
        .with(new NetClientOptions().setConnectTimeout(limits.connectTimeoutMillis()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }
}
