package meservice.ops;

import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import meservice.http.RequestId;
import meservice.identity.Principal;
import meservice.identity.RequestPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One {@code meservice.access} line and one timer sample per request, written when the response
 * has ended (or the connection closed under it: status 499). Carries the method, route template,
 * status, duration, request id and principal kind; never a header, token or body. The request's
 * fields are named as OpenTelemetry's semantic conventions name them, so a shipper maps nothing and
 * {@code status}, which Datadog reads as the line's level, stays free. When the request is traced,
 * {@code trace_id} and {@code span_id} (OpenTelemetry's log field names) name its server span.
 */
public final class AccessLog implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger("meservice.access");
  static final String UNMATCHED = "unmatched";
  private static final int CLIENT_CLOSED = 499;

  private final Metrics metrics;
  private final Set<String> routes;

  /** @param routes the router's paths; any other path is labelled {@value #UNMATCHED} */
  public AccessLog(Metrics metrics, Set<String> routes) {
    this.metrics = metrics;
    this.routes = routes;
  }

  @Override
  public void handle(RoutingContext rc) {
    start(rc);
    rc.next();
  }

  /** The line and the timer sample are written when the request's response ends. */
  public void start(RoutingContext rc) {
    long start = System.nanoTime();
    // Traced (OTEL_*, docs/tracing.md): the server span takes the route's name now, while it is
    // the request's current span; its ids go on the line. Untraced: one field read, nothing else.
    SpanContext trace = Tracing.on(rc.vertx()) ? nameSpan(rc.request()) : null;
    rc.addEndHandler(ended -> {
      long nanos = System.nanoTime() - start;
      HttpServerRequest request = rc.request();
      String method = request.method().name();
      String route = route(request.path());
      int status = ended.succeeded() ? rc.response().getStatusCode() : CLIENT_CLOSED;
      metrics.request(method, route, status, nanos);
      Principal principal = RequestPrincipal.of(rc);
      long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
      LoggingEventBuilder line = LOG.atInfo()
          .addKeyValue("request_id", RequestId.of(rc))
          .addKeyValue("http.request.method", method)
          .addKeyValue("http.route", route)
          .addKeyValue("http.response.status_code", status)
          .addKeyValue("duration_ms", millis)
          .addKeyValue("principal", principal == null ? "none" : principal.kind());
      if (trace != null) {
        line = line.addKeyValue("trace_id", trace.getTraceId()).addKeyValue("span_id", trace.getSpanId());
      }
      line.log("{} {} {} {}ms", method, route, status, millis);
    });
  }

  private SpanContext nameSpan(HttpServerRequest request) {
    String route = route(request.path());
    return Tracing.nameServerSpan(request.method().name(), route, !UNMATCHED.equals(route));
  }

  private String route(String path) {
    if (path == null) {
      return UNMATCHED;
    }
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return routes.contains(trimmed) ? trimmed : UNMATCHED;
  }
}
