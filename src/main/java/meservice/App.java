package meservice;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import meservice.apikey.ApiKeys;
import meservice.auth.AuthHandler;
import meservice.auth.ClerkTokenVerifier;
import meservice.auth.JwksKeySource;
import meservice.auth.KeySource;
import meservice.auth.PemKeySource;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.db.ChangeListener;
import meservice.config.SecuritySummary;
import meservice.db.Database;
import meservice.http.AuthFailureLimiter;
import meservice.http.ClientAddress;
import meservice.http.RateLimiter;
import meservice.db.Migrations;
import meservice.db.Pooling;
import meservice.db.PrimaryOnly;
import meservice.db.WritePool;
import meservice.db.ReadConnections;
import meservice.me.MeFeature;
import meservice.me.Preferences;
import meservice.ops.Docs;
import meservice.ops.Health;
import meservice.ops.Metrics;
import meservice.ops.OpenApi;
import meservice.ops.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: pool, migrations, one {@link ApiVerticle} per event loop, an API port and a management port. */
public final class App {

  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private final Vertx vertx;
  private final AppConfig config;
  private final Health health;
  private final WritePool pool;
  private final ReadConnections reads;
  private final ApiKeys apiKeys;
  private final ChangeListener changes;
  private final KeySource keys;
  private final List<ApiVerticle> verticles;
  private final String deploymentId;

  private App(Vertx vertx, AppConfig config, Health health, WritePool pool, ReadConnections reads, ApiKeys apiKeys,
      ChangeListener changes, KeySource keys, List<ApiVerticle> verticles, String deploymentId) {
    this.vertx = vertx;
    this.config = config;
    this.health = health;
    this.pool = pool;
    this.reads = reads;
    this.apiKeys = apiKeys;
    this.changes = changes;
    this.keys = keys;
    this.verticles = verticles;
    this.deploymentId = deploymentId;
  }

  /**
   * The Vert.x instance {@code serve} and {@code dev} run on: epoll on Linux
   * (netty-transport-native-epoll is bundled, unpacked into java.io.tmpdir when loaded: without a
   * writable /tmp it is NIO, which the start-up line says), Micrometer metrics, and name lookups
   * that follow a database endpoint moving in a failover ({@link NameResolution}). No file is
   * served from the class path, so Vert.x needs no cache directory (/tmp/vertx-cache): the service
   * starts on a read-only root filesystem.
   */
  public static Vertx vertx() {
    return vertx(Map.of());
  }

  /**
   * As above, traced when {@code env}'s {@code OTEL_*} variables ask for it ({@link Tracing}):
   * then the OpenTelemetry SDK is built first, and closing the instance exports the last spans.
   * Otherwise no tracer is installed at all.
   *
   * @throws ConfigException when the SDK refuses an {@code OTEL_*} setting
   */
  public static Vertx vertx(Map<String, String> env) {
    NameResolution.capJvmCache();
    VertxTracerFactory tracer = Tracing.factory(env);
    Vertx vertx = Metrics.vertx(new VertxOptions()
        .setPreferNativeTransport(true)
        .setAddressResolverOptions(NameResolution.options())
        .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)),
        tracer);
    Tracing.closeWith(tracer, vertx);
    return vertx;
  }

  /** Start-up in one chain: keys, pool, migrations, the change listener, verticles, listen. */
  public static Future<App> start(Vertx vertx, AppConfig config) {
    return start(vertx, config, Preferences.REGISTRY);
  }

  /** As above with another preference registry: tests show a new key needs nothing else. */
  public static Future<App> start(Vertx vertx, AppConfig config, Preferences preferences) {
    config.requireStartable();
    KeySource keys = keySource(vertx, config);
    Metrics metrics = Metrics.of(vertx);
    PrimaryOnly primary = new PrimaryOnly(metrics.registry());
    WritePool pool = Database.pool(vertx, config, primary);
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    ReadConnections reads = new ReadConnections(config, primary, instances, metrics.registry());
    List<ApiVerticle> verticles = new CopyOnWriteArrayList<>();
    ChangeListener changes = new ChangeListener(vertx, config, primary);
    ApiKeys apiKeys = ApiKeys.create(vertx, pool, config, primary, changes);
    MeFeature me = new MeFeature(config, preferences, pool, metrics.registry());
    changes.add(me.users());
    keys.bindTo(metrics.registry());
    AuthFailureLimiter authFailures = new AuthFailureLimiter(config.limits().authFailures(),
        new ClientAddress(config.limits().trustedProxies()));
    authFailures.bindTo(metrics.registry());
    // Ready only with a key set that is current: without one, every user would get a 401.
    Health health = new Health(keys::notReady);
    ApiRouter routes = new ApiRouter(config,
        new AuthHandler(new ClerkTokenVerifier(keys, config), apiKeys.verifier(), authFailures, metrics.registry()),
        new RateLimiter(config.limits().rate().perSecond(), config.limits().rate().burst(), AuthHandler::rateLimitKey),
        me, health, metrics, OpenApi.load(MeFeature.openApi(preferences)), Docs.load());
    return Pooling.check(vertx, pool.pool(), config)
        .compose(v -> Migrations.load().apply(vertx, config))
        // A JWKS that cannot be fetched is logged and retried by its timer; the service starts not ready.
        .compose(applied -> keys.start())
        .compose(v -> changes.start())
        .onSuccess(v -> apiKeys.start())
        .compose(v -> vertx.deployVerticle(
            () -> {
              ApiVerticle verticle = new ApiVerticle(routes, config, reads);
              verticles.add(verticle);
              return verticle;
            },
            new DeploymentOptions().setInstances(instances)))
        .map(id -> new App(vertx, config, health, pool, reads, apiKeys, changes, keys, verticles, id))
        .onSuccess(app -> LOG.info("me-service listening on {}:{} (management {}:{}) with {} event loops on {}; {}",
            config.http().host(), app.port(), config.http().management().host(), app.managementPort(), instances,
            transport(vertx), SecuritySummary.of(config)))
        .onFailure(err -> {
          keys.stop();
          apiKeys.stop()
              .eventually(changes::stop)
              .eventually(pool::close)
              .eventually(reads::close);
        });
  }

  public int port() {
    return verticles.get(0).port();
  }

  /** Where {@code /metrics} (and the probes, again) are served. */
  public int managementPort() {
    return verticles.get(0).managementPort();
  }

  /** The write pool's connections, for tests that look at the stored rows. */
  public Pool pool() {
    return pool.pool();
  }

  /**
   * Graceful shutdown: readiness answers 503 at once; after {@code SHUTDOWN_DELAY_SECONDS} (time
   * for load balancers to see it and stop routing here) the servers stop accepting and let every
   * in-flight request finish, for at most {@code SHUTDOWN_GRACE_SECONDS}; only then does the pool
   * close, so no accepted request loses its database. Undeploying alone would not wait.
   */
  public Future<Void> stop() {
    AppConfig.Shutdown shutdown = config.http().shutdown();
    LOG.info("shutting down: readiness is 503; draining in {} s, for at most {} s",
        shutdown.delay().toSeconds(), shutdown.grace().toSeconds());
    health.beginShutdown();
    keys.stop();
    Future<?> delay = shutdown.delay().isZero()
        ? Future.succeededFuture()
        : vertx.timer(shutdown.delay().toSeconds(), TimeUnit.SECONDS);
    return delay
        .compose(v -> Future.join(verticles.stream()
            .map(verticle -> verticle.shutdown(shutdown.grace().toSeconds())).toList()))
        .transform(drained -> vertx.undeploy(deploymentId))
        .eventually(apiKeys::stop)
        .eventually(changes::stop)
        .eventually(this::closePool)
        .eventually(reads::close)
        .onComplete(ar -> LOG.info("stopped"));
  }

  /**
   * A connection whose query is still running (its request was cut at the end of the grace
   * period) closes only after that query ends; shutdown does not wait for it past a bound.
   */
  private Future<Void> closePool() {
    return pool.close();
  }

  /** epoll, or NIO and why not epoll (e.g. its native library could not be unpacked into /tmp). */
  private static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    return cause == null ? "NIO" : "NIO (epoll unavailable: " + cause + ")";
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
    return new JwksKeySource(vertx, vertx.createHttpClient(new HttpClientOptions()), clerk.jwks().url(),
        clerk.algorithms(), clerk.jwks().minRefetch().toMillis(), clerk.jwks().refresh().toMillis(),
        clerk.jwks().maxStale().toMillis());
  }
}
