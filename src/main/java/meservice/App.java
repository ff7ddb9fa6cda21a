package meservice;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.config.SecuritySummary;
import meservice.db.Migrations;
import meservice.db.Pooling;
import meservice.me.Preferences;
import meservice.ops.Metrics;
import meservice.ops.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: pool, migrations, one {@link ApiVerticle} per event loop, an API port and a management port. */
public final class App {

  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private final Vertx vertx;
  private final Wiring parts;
  private final List<ApiVerticle> verticles;
  private final String deploymentId;

  private App(Vertx vertx, Wiring parts, List<ApiVerticle> verticles, String deploymentId) {
    this.vertx = vertx;
    this.parts = parts;
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
    Wiring parts = Wiring.of(vertx, config, preferences);
    List<ApiVerticle> verticles = new CopyOnWriteArrayList<>();
    return Pooling.check(vertx, parts.pool().pool(), config.database())
        .compose(v -> Migrations.load().apply(vertx, config.database()))
        // A JWKS that cannot be fetched is logged and retried by its timer; the service starts not ready.
        .compose(applied -> parts.keys().start())
        .compose(v -> parts.changes().start())
        .onSuccess(v -> parts.apiKeys().start())
        .compose(v -> parts.deploy(vertx, verticles))
        .map(id -> new App(vertx, parts, verticles, id))
        .onSuccess(app -> LOG.info("me-service listening on {}:{} (management {}:{}) with {} event loops on {}; {}",
            config.http().host(), app.port(), config.http().management().host(), app.managementPort(),
            verticles.size(), transport(vertx), SecuritySummary.of(config)))
        .onFailure(err -> parts.close());
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
    return parts.pool().pool();
  }

  /**
   * Graceful shutdown: readiness answers 503 at once; after {@code SHUTDOWN_DELAY_SECONDS} (time
   * for load balancers to see it and stop routing here) the servers stop accepting and let every
   * in-flight request finish, for at most {@code SHUTDOWN_GRACE_SECONDS}; only then does the pool
   * close, so no accepted request loses its database. Undeploying alone would not wait.
   */
  public Future<Void> stop() {
    AppConfig.Shutdown shutdown = parts.config().http().shutdown();
    LOG.info("shutting down: readiness is 503; draining in {} s, for at most {} s",
        shutdown.delay().toSeconds(), shutdown.grace().toSeconds());
    parts.health().beginShutdown();
    parts.keys().stop();
    Future<?> delay = shutdown.delay().isZero()
        ? Future.succeededFuture()
        : vertx.timer(shutdown.delay().toSeconds(), TimeUnit.SECONDS);
    return delay
        .compose(v -> Future.join(verticles.stream()
            .map(verticle -> verticle.shutdown(shutdown.grace().toSeconds())).toList()))
        .transform(drained -> vertx.undeploy(deploymentId))
        .eventually(parts::close)
        .onComplete(ar -> LOG.info("stopped"));
  }

  /** epoll, or NIO and why not epoll (e.g. its native library could not be unpacked into /tmp). */
  private static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    return cause == null ? "NIO" : "NIO (epoll unavailable: " + cause + ")";
  }
}
