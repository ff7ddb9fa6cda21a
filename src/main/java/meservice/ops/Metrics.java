package meservice.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import meservice.logging.AsyncStdoutAppender;

/**
 * The service's meters, scraped at {@code GET /metrics}. Vert.x itself reports the pool
 * ({@code vertx_pool_*}: in use, wait queue, wait time) and the JVM (memory, GC, threads) into the
 * same registry; requests are timed here, keyed by route template rather than raw path, so a
 * scanner of random URLs cannot grow the label set.
 */
public final class Metrics {

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5)};

  private static final String LOCAL_MAP = "meservice.ops.Metrics";
  private static final String REGISTRY = "registry";

  private final PrometheusMeterRegistry registry;
  /** Built once per method, route and status: a request only looks its timer up. */
  private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();

  private record RequestKey(String method, String route, int status) {}

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    FunctionCounter.builder("log.lines.dropped", this, m -> AsyncStdoutAppender.dropped())
        .description("Log lines dropped because the log writer's queue was full (logging never blocks a request)")
        .register(registry);
    FunctionCounter.builder("log.lines.suppressed", this, m -> AsyncStdoutAppender.suppressed())
        .description("Log lines left out because more than 10 of their kind came in one second (one line a second reports them)")
        .register(registry);
    BuildInfo build = BuildInfo.current();
    Gauge.builder("me.service.build.info", () -> 1)
        .description("Always 1; the labels say which build and Java runtime are running")
        .tags("version", build.version(), "commit", build.commit(), "java_version", build.javaVersion())
        .register(registry);
  }

  /**
   * A Vert.x instance with {@code options} and pool, client and JVM metrics ({@code serve},
   * {@code dev}), traced by {@code tracer} when not {@code null}.
   */
  public static Vertx vertx(VertxOptions options, VertxTracerFactory tracer) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        // One registry per Vert.x instance: the name keys a JVM-wide map in vertx-micrometer.
        .setRegistryName("me-service-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        // Requests are timed by route template below; the raw server metrics would duplicate them.
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        // Per-connection gauges of the PostgreSQL client collide; the pool meters say what matters.
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        // The SQL client's meters (vertx_sql_*) are registered again for every new connection,
        // and Micrometer warns at each start that the pending gauge was already registered
        // (vert-x3/vertx-micrometer-metrics#259). They carry no label telling the pools apart;
        // the pool meters (vertx_pool_*) say what matters, and queries skip two meter updates.
        .addDisabledMetricsCategory("sql")
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.VERTICLES);
    VertxBuilder builder = Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry));
    // Without a factory no tracer exists, and Vert.x skips every tracing call (meservice.ops.Tracing).
    Vertx vertx = tracer == null ? builder.build() : builder.withTracer(tracer).build();
    vertx.sharedData().getLocalMap(LOCAL_MAP).put(REGISTRY, new Registry(registry));
    return vertx;
  }

  /**
   * The registry of {@code vertx} when it was built by {@link #vertx}; otherwise (tests that
   * bring their own Vert.x) a private one, so {@code /metrics} still shows the service's meters.
   */
  public static Metrics of(Vertx vertx) {
    Object registry = vertx.sharedData().getLocalMap(LOCAL_MAP).get(REGISTRY);
    return new Metrics(registry instanceof Registry held ? held.registry()
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** How the instance carries its registry: local shared data holds only what is {@link Shareable}. */
  private record Registry(PrometheusMeterRegistry registry) implements Shareable {}

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  /** {@code route} is a route template (or a fixed word), never a raw path. */
  public void request(String method, String route, int status, long nanos) {
    RequestKey key = new RequestKey(METHODS.contains(method) ? method : "other", route, status);
    Timer timer = requestTimers.get(key);
    if (timer == null) {
      timer = requestTimers.computeIfAbsent(key, this::requestTimer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer requestTimer(RequestKey key) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests by method, route template and status")
        .tags("method", key.method(), "route", key.route(), "status", Integer.toString(key.status()))
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }
}
