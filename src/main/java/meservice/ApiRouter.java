package meservice;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import meservice.auth.AuthHandler;
import meservice.config.AppConfig;
import meservice.db.Reads;
import meservice.db.Sql;
import meservice.http.Cors;
import meservice.http.ErrorCode;
import meservice.http.ErrorMapper;
import meservice.http.RequestDeadline;
import meservice.http.RequestId;
import meservice.http.RateLimiter;
import meservice.me.MeFeature;
import meservice.ops.AccessLog;
import meservice.ops.Docs;
import meservice.ops.Health;
import meservice.ops.Metrics;
import meservice.ops.OpenApi;

/**
 * The routers of every event loop, over the parts all loops share: what every request meets first
 * and every failure last ({@link #front}), CORS, then the features, each mounting its own routes
 * behind the caller's authentication and rate limit; the probes and the documentation. The
 * management port's router serves {@code /metrics} and the probes again.
 */
record ApiRouter(AppConfig config, AuthHandler authenticate, RateLimiter limit, MeFeature me, Health health,
    Metrics metrics, OpenApi openApi, Docs docs) {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** One event loop's API router; {@code reads} is that loop's own read connection (Me reads, readiness pings). */
  public Router api(Vertx vertx, Reads reads, RequestDeadline deadline) {
    Router router = Router.router(vertx);
    Set<String> paths = ConcurrentHashMap.newKeySet();
    front(router, deadline, paths).handler(new Cors(config.clerk().authorizedParties(), config.corsLoopbackAnyPort()));
    me.mount(router, reads, authenticate, limit);
    probes(router, reads);
    router.get("/openapi.json").handler(openApi);
    router.get("/docs").handler(docs::page);
    for (String asset : docs.assetPaths()) {
      router.get(asset).handler(docs::asset);
    }
    return finish(router, paths);
  }

  /**
   * One event loop's management router ({@code MANAGEMENT_PORT}): {@code /metrics}, and the
   * probes again, so an orchestrator may probe either port.
   */
  public Router management(Vertx vertx, Reads reads, RequestDeadline deadline) {
    Router router = Router.router(vertx);
    Set<String> paths = ConcurrentHashMap.newKeySet();
    front(router, deadline, paths);
    probes(router, reads);
    router.get("/metrics").handler(this::metrics);
    return finish(router, paths);
  }

  /**
   * What every request meets first (its deadline, its id, its access line) and every failure
   * last (the envelope), including the answers vertx-web gives without a failed context. Returns
   * the first route, for handlers of one router only (CORS). {@code paths} are the access log's
   * route labels, filled by {@link #finish}.
   */
  private Route front(Router router, RequestDeadline deadline, Set<String> paths) {
    ErrorMapper errors = new ErrorMapper(path -> allowedMethods(router, path));
    RequestId requestId = new RequestId();
    AccessLog accessLog = new AccessLog(metrics, paths);
    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    // Reached without a failed context: a path that does not decode while routes are matched
    // (400), a failure handler that threw (500).
    router.errorHandler(400, identified(requestId, accessLog, errors.answering(ErrorCode.BAD_REQUEST)));
    router.errorHandler(500, identified(requestId, accessLog, errors.answering(ErrorCode.INTERNAL)));
    return router.route()
        .handler(deadline)
        .handler(requestId)
        .handler(accessLog)
        .failureHandler(identified(requestId, accessLog, errors));
  }

  /** The router's paths become the access log's route labels. */
  private static Router finish(Router router, Set<String> paths) {
    for (Route route : router.getRoutes()) {
      if (route.getPath() != null) {
        paths.add(route.getPath());
      }
    }
    return router;
  }

  private void probes(Router router, Reads reads) {
    router.get("/health/live").handler(health::live);
    Reads.Statement ping = reads.statement(Sql.PING);
    router.get("/health/ready").handler(rc -> health.ready(rc, ping));
  }

  /**
   * {@code answer}, after giving the request its id and access line if it has none yet: vertx-web
   * refuses some requests before any handler ran (no {@code Host} on HTTP/1.1).
   */
  private static Handler<RoutingContext> identified(RequestId requestId, AccessLog accessLog,
      Handler<RoutingContext> answer) {
    return rc -> {
      if (!RequestId.assigned(rc)) {
        requestId.assign(rc);
        accessLog.start(rc);
      }
      answer.handle(rc);
    };
  }

  /** Rendering walks every meter: done on a worker so a scrape never holds up an event loop. */
  private void metrics(RoutingContext rc) {
    rc.vertx().executeBlocking(metrics::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(ar.result());
      } else {
        rc.fail(ar.cause());
      }
    });
  }

  private static String allowedMethods(Router router, String path) {
    TreeSet<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (path.equals(route.getPath()) && route.methods() != null) {
        route.methods().stream().map(HttpMethod::name).forEach(methods::add);
      }
    }
    return String.join(", ", methods);
  }
}
