package meservice;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import java.util.List;
import meservice.apikey.ApiKeys;
import meservice.auth.AuthHandler;
import meservice.auth.ClerkTokenVerifier;
import meservice.auth.JwksKeySource;
import meservice.auth.KeySource;
import meservice.auth.PemKeySource;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.db.ChangeListener;
import meservice.db.Database;
import meservice.db.PrimaryOnly;
import meservice.db.ReadConnections;
import meservice.db.WritePool;
import meservice.http.AuthFailureLimiter;
import meservice.http.ClientAddress;
import meservice.http.RateLimiter;
import meservice.me.MeFeature;
import meservice.me.Preferences;
import meservice.ops.Docs;
import meservice.ops.Health;
import meservice.ops.Metrics;
import meservice.ops.OpenApi;

/**
 * The service's parts and how they connect, built without any I/O: {@link App#start} then checks
 * the database, migrates, starts the keys and listeners and {@link #deploy}s; a test that needs no
 * database deploys the same routes alone.
 */
record Wiring(AppConfig config, KeySource keys, WritePool pool, ReadConnections reads, ChangeListener changes,
    ApiKeys apiKeys, Health health, ApiRouter routes) {

  /** @throws ConfigException for settings {@code serve} cannot start with */
  static Wiring of(Vertx vertx, AppConfig config, Preferences preferences) {
    config.requireStartable();
    KeySource keys = keySource(vertx, config);
    Metrics metrics = Metrics.of(vertx);
    PrimaryOnly primary = new PrimaryOnly(metrics.registry());
    WritePool pool = Database.pool(vertx, config.database(), primary);
    ReadConnections reads = new ReadConnections(config.database(), primary, eventLoops(), metrics.registry());
    ChangeListener changes = new ChangeListener(vertx, config.database(), primary);
    ApiKeys apiKeys = ApiKeys.create(vertx, pool, config, primary, changes);
    MeFeature me = new MeFeature(config, preferences, pool, changes, metrics.registry());
    keys.bindTo(metrics.registry());
    AuthFailureLimiter authFailures = new AuthFailureLimiter(config.limits().authFailures(),
        new ClientAddress(config.limits().trustedProxies()));
    authFailures.bindTo(metrics.registry());
    // Ready only with a key set that is current: without one, every user would get a 401.
    Health health = new Health(keys::notReady);
    ApiRouter routes = new ApiRouter(config,
        new AuthHandler(new ClerkTokenVerifier(keys, config.clerk(), config.scopes()), apiKeys.verifier(), authFailures, metrics.registry()),
        new RateLimiter(config.limits().rate().perSecond(), config.limits().rate().burst(), AuthHandler::rateLimitKey),
        me, health, metrics, OpenApi.load(MeFeature.openApi(preferences)), Docs.load());
    return new Wiring(config, keys, pool, reads, changes, apiKeys, health, routes);
  }

  /** One {@link ApiVerticle} per event loop, each added to {@code verticles}; the deployment's id. */
  Future<String> deploy(Vertx vertx, List<ApiVerticle> verticles) {
    return vertx.deployVerticle(() -> {
      ApiVerticle verticle = new ApiVerticle(routes, config, reads);
      verticles.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(eventLoops()));
  }

  /**
   * Stops the keys and listeners, then closes the connections. A connection whose query is still
   * running (its request was cut at the end of the grace period) closes only after that query
   * ends; closing does not wait for it past a bound.
   */
  Future<Void> close() {
    keys.stop();
    return apiKeys.stop()
        .eventually(changes::stop)
        .eventually(pool::close)
        .eventually(reads::close);
  }

  private static int eventLoops() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  private static KeySource keySource(Vertx vertx, AppConfig config) {
    AppConfig.Clerk clerk = config.clerk();
    if (clerk.jwtKey() != null) {
      try {
        return new PemKeySource(vertx, clerk.jwtKey(), clerk.algorithms());
      } catch (RuntimeException e) {
        throw new ConfigException("CLERK_JWT_KEY: not a valid RSA public key");
      }
    }
    return new JwksKeySource(vertx, vertx.createHttpClient(new HttpClientOptions()), clerk.jwks(), clerk.algorithms());
  }
}
