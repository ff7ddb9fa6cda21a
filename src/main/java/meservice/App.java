package meservice;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.atomic.AtomicReference;
import meservice.auth.AuthHandler;
import meservice.auth.ClerkTokenVerifier;
import meservice.auth.JwksKeySource;
import meservice.auth.KeySource;
import meservice.auth.PemKeySource;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.db.Database;
import meservice.db.Migrations;
import meservice.me.MeHandler;
import meservice.me.MeRepository;
import meservice.me.Preferences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: pool, migrations, one {@link ApiVerticle} per event loop, one port. */
public final class App {

  private static final Logger LOG = LoggerFactory.getLogger(App.class);

  private final Vertx vertx;
  private final Pool pool;
  private final SqlClient reads;
  private final String deploymentId;
  private final int port;

  private App(Vertx vertx, Pool pool, SqlClient reads, String deploymentId, int port) {
    this.vertx = vertx;
    this.pool = pool;
    this.reads = reads;
    this.deploymentId = deploymentId;
    this.port = port;
  }

  /** Start-up in one chain: keys, pool, migrations, verticles, listen. */
  public static Future<App> start(Vertx vertx, AppConfig config) {
    requireStartable(config);
    KeySource keys = keySource(vertx, config);
    Pool pool = Database.pool(vertx, config);
    SqlClient reads = Database.reads(vertx, config);
    Services services = new Services(
        config,
        new AuthHandler(new ClerkTokenVerifier(keys, config)),
        new MeHandler(MeRepository.create(reads, pool), Preferences.REGISTRY));
    AtomicReference<ApiVerticle> first = new AtomicReference<>();
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return Migrations.load().apply(pool)
        .compose(applied -> warm(keys))
        .compose(v -> vertx.deployVerticle(
            () -> {
              ApiVerticle verticle = new ApiVerticle(services);
              first.compareAndSet(null, verticle);
              return verticle;
            },
            new DeploymentOptions().setInstances(instances)))
        .map(id -> new App(vertx, pool, reads, id, first.get().port()))
        .onSuccess(app -> LOG.info("me-service listening on {}:{} with {} event loops",
            config.host(), app.port, instances))
        .onFailure(err -> pool.close().eventually(reads::close));
  }

  public int port() {
    return port;
  }

  public Pool pool() {
    return pool;
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId).compose(v -> pool.close()).eventually(reads::close);
  }

  private static void requireStartable(AppConfig config) {
    if (config.databaseUrl() == null) {
      throw new ConfigException("DATABASE_URL: missing (postgresql://user:pass@host:port/db)");
    }
    if (config.clerkJwksUrl() == null && config.clerkJwtKey() == null) {
      throw new ConfigException("CLERK_JWKS_URL or CLERK_JWT_KEY: one is required to verify session tokens");
    }
  }

  private static KeySource keySource(Vertx vertx, AppConfig config) {
    if (config.clerkJwtKey() != null) {
      try {
        return new PemKeySource(vertx, config.clerkJwtKey(), config.jwtAlgorithms());
      } catch (RuntimeException e) {
        throw new ConfigException("CLERK_JWT_KEY: not a valid RSA public key");
      }
    }
    return new JwksKeySource(vertx, vertx.createHttpClient(new HttpClientOptions()),
        config.clerkJwksUrl(), config.jwtAlgorithms(), config.jwksMinRefetchSeconds() * 1000L);
  }

  /** Fetch the JWKS before taking traffic; a failure is logged and retried on the first token. */
  private static Future<Void> warm(KeySource keys) {
    return keys instanceof JwksKeySource jwks ? jwks.refresh().mapEmpty() : Future.succeededFuture();
  }
}
