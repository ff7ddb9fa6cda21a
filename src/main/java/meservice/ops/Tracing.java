package meservice.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import meservice.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * OpenTelemetry tracing (docs/tracing.md), configured by the standard {@code OTEL_*} variables and
 * off unless they ask for it: then no tracer is installed in Vert.x at all, and no request does any
 * OpenTelemetry work. On when, and only when,
 * <ul>
 *   <li>{@code OTEL_SDK_DISABLED} is not {@code true}, and</li>
 *   <li>{@code OTEL_TRACES_EXPORTER} is set to something other than {@code none}, or it is unset and
 *   {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set.</li>
 * </ul>
 * Then the SDK's own autoconfiguration reads every other {@code OTEL_*} variable (sampler, batch
 * delays, headers, resource attributes); only traces are exported (metrics are Prometheus', at
 * {@code /metrics}), over OTLP/HTTP with protobuf by default.
 */
public final class Tracing {

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  /** Bound on the final export at shutdown, within the shutdown hook's margin for Vert.x (5 s). */
  static final long SHUTDOWN_SECONDS = 3;

  private Tracing() {}

  /** Whether {@code env} turns tracing on (the rule above). */
  public static boolean enabled(Map<String, String> env) {
    if ("true".equalsIgnoreCase(normalized(env.get("OTEL_SDK_DISABLED")))) {
      return false;
    }
    String exporter = normalized(env.get("OTEL_TRACES_EXPORTER"));
    if (exporter != null) {
      return !exporter.equalsIgnoreCase("none");
    }
    return normalized(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")) != null
        || normalized(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != null;
  }

  /**
   * The tracer factory for the Vert.x instance about to be built, or {@code null} when tracing is
   * off. Builds the SDK (its exporter and batch thread) here, on the starting thread, before any
   * event loop exists. A setting the SDK refuses is a {@link ConfigException}: exit 2 with its
   * message, like the service's own settings.
   */
  public static VertxTracerFactory factory(Map<String, String> env) {
    if (!enabled(env)) {
      return null;
    }
    OpenTelemetrySdk sdk = sdk(env);
    String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "otlp");
    String endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null
        ? env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        : env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318") + " (/v1/traces)";
    LOG.info("tracing on: spans exported by {}{}, sampler {}", exporter, exporter.contains("otlp") ? " to " + endpoint : "",
        env.getOrDefault("OTEL_TRACES_SAMPLER", "parentbased_always_on"));
    return new Factory(sdk);
  }

  private static OpenTelemetrySdk sdk(Map<String, String> env) {
    bridgeSdkLogging();
    for (String name : List.of("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")) {
      String protocol = normalized(env.get(name));
      if (protocol != null && protocol.startsWith("grpc")) {
        throw new ConfigException(name + ": grpc is not bundled in this build; use http/protobuf "
            + "(the default here; a collector's OTLP/HTTP port is 4318)");
      }
    }
    Map<String, String> given = new HashMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_")) {
        given.put(name, value);
      }
    });
    try {
      return AutoConfiguredOpenTelemetrySdk.builder()
          // Defaults, below any OTEL_* variable: a name for the service; OTLP over HTTP with
          // protobuf (the Java SDK's default is gRPC, whose senders are not bundled: see
          // docs/tracing.md); traces alone (the SDK would otherwise also export metrics and logs
          // to the same endpoint).
          .addPropertiesSupplier(() -> Map.of(
              "otel.service.name", "me-service",
              "otel.exporter.otlp.protocol", "http/protobuf",
              "otel.metrics.exporter", "none",
              "otel.logs.exporter", "none"))
          // The variables the service was started with (System.getenv() in production; a test's map).
          .addPropertiesCustomizer(config -> given)
          .addResourceCustomizer((resource, config) -> resource.getAttribute(AttributeKey.stringKey("service.version")) != null
              ? resource
              : resource.merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.version"),
                  BuildInfo.current().version()))))
          .addSamplerCustomizer((sampler, config) -> new SkippingProbes(sampler))
          // Closed by the Vert.x instance's close (Factory), after the last request has drained;
          // the SDK's own hook could run before that and lose the last spans.
          .disableShutdownHook()
          .build()
          .getOpenTelemetrySdk();
    } catch (ConfigurationException e) {
      throw new ConfigException("OTEL_*: " + e.getMessage()
          + (e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage() + ")" : ""));
    } catch (RuntimeException e) {
      // What a component threw while the SDK was built from the settings (a malformed endpoint).
      throw new ConfigException("OTEL_*: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    }
  }

  /**
   * The SDK's java.util.logging lines (an export that failed, a setting it ignored) become the
   * service's own log lines, under the {@code io.opentelemetry} loggers; held here because JUL
   * keeps its loggers, and so their handlers, only weakly.
   */
  private static final java.util.logging.Logger SDK_LOGGING = java.util.logging.Logger.getLogger("io.opentelemetry");

  private static synchronized void bridgeSdkLogging() {
    if (SDK_LOGGING.getUseParentHandlers()) {
      SDK_LOGGING.addHandler(new SLF4JBridgeHandler());
      SDK_LOGGING.setUseParentHandlers(false);
    }
  }

  /** Whether {@code vertx} traces: a field read, so a request pays nothing else when it does not. */
  public static boolean on(Vertx vertx) {
    return ((VertxInternal) vertx).tracer() != null;
  }

  /**
   * The server span of the current request, named by its route ({@code GET /v1/me}) with
   * {@code http.route}: the Vert.x integration names it by the method alone. Its context, for
   * the access line; {@code null} when there is none. Only called when {@link #on}.
   */
  public static SpanContext nameServerSpan(String method, String route, boolean matched) {
    Span span = Span.current();
    SpanContext context = span.getSpanContext();
    if (!context.isValid()) {
      return null;
    }
    if (matched && span.isRecording()) {
      span.updateName(method + " " + route);
      span.setAttribute(HTTP_ROUTE, route);
    }
    return context;
  }

  /**
   * Probes and scrapes make no traces: an orchestrator's probe every few seconds would be most of
   * a quiet service's traces and say nothing. The management port does not trace at all (its
   * server's tracing policy); this drops the probes that reach the API port. Children of a dropped
   * span (the readiness ping's query) are dropped with it by the parent-based default.
   */
  static final class SkippingProbes implements Sampler {

    private final Sampler delegate;

    SkippingProbes(Sampler delegate) {
      this.delegate = delegate;
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
        Attributes attributes, List<LinkData> parentLinks) {
      if (spanKind == SpanKind.SERVER) {
        String path = attributes.get(URL_PATH);
        if (path != null && (path.startsWith("/health/") || path.equals("/metrics"))) {
          return SamplingResult.drop();
        }
      }
      return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
      return "SkippingProbes{" + delegate.getDescription() + "}";
    }
  }

  /**
   * The Vert.x integration over this process's SDK (not the global one), and the SDK's shutdown
   * when the Vert.x instance closes: the spans still batched are exported then, without blocking
   * an event loop (the close hook completes when the export does, bounded).
   */
  private static final class Factory extends OpenTelemetryTracingFactory {

    private final OpenTelemetrySdk sdk;

    Factory(OpenTelemetrySdk sdk) {
      super(sdk);
      this.sdk = sdk;
    }

    /** Called once the instance exists: its close flushes and stops the SDK. */
    void closeWith(Vertx vertx) {
      ((VertxInternal) vertx).addCloseHook((Completable<Void> completion) -> {
        AtomicBoolean closed = new AtomicBoolean();
        // Bounded: an unreachable collector must not hold the process past its shutdown budget.
        long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(SHUTDOWN_SECONDS), t -> {
          if (closed.compareAndSet(false, true)) {
            LOG.warn("tracing: the last spans were not exported within {} s of shutdown", SHUTDOWN_SECONDS);
            completion.succeed();
          }
        });
        CompletableResultCode done = sdk.shutdown();
        done.whenComplete(() -> {
          if (closed.compareAndSet(false, true)) {
            vertx.cancelTimer(timer);
            if (!done.isSuccess()) {
              LOG.warn("tracing: the last spans were not all exported at shutdown");
            }
            completion.succeed();
          }
        });
      });
    }
  }

  /** After the Vert.x instance is built with {@code factory}: its close shuts the SDK down. */
  public static void closeWith(VertxTracerFactory factory, Vertx vertx) {
    if (factory instanceof Factory own) {
      own.closeWith(vertx);
    }
  }

  /** Trimmed and lower-cased, for comparing; {@code null} when unset or blank. */
  private static String normalized(String value) {
    if (value == null) {
      return null;
    }
    String normalized = value.trim().toLowerCase(Locale.ROOT);
    return normalized.isEmpty() ? null : normalized;
  }
}
