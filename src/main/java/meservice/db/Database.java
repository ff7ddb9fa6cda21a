package meservice.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
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
}
