package meservice;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import meservice.db.Reads;
import meservice.db.Sql;
import meservice.http.Cors;
import meservice.http.ErrorCode;
import meservice.http.ErrorMapper;
import meservice.http.RequestDeadline;
import meservice.http.RequestId;
import meservice.me.MeHandler;
import meservice.ops.AccessLog;
import meservice.ops.Metrics;

/** The production routes, API and management; tests mount exactly these routers. */
public final class ApiRouter {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private ApiRouter() {}

  /**
   * The API router of one event loop. {@code reads} is that loop's own read connection (the Me
   * handler's reads and readiness pings); everything else is shared.
   */
  public static Router create(Vertx vertx, Services services, Reads reads, RequestDeadline deadline) {
    Router router = Router.router(vertx);
    MeHandler me = services.me(reads);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(services.config().bodyLimitBytes());
    Set<String> paths = ConcurrentHashMap.newKeySet();
    front(router, services, deadline, paths).handler(new Cors(services.config().authorizedParties(), services.config().corsLoopbackAnyPort()));

    // Me answers are the caller's own and change with every PATCH: no cache on the way keeps one.
    router.route("/v1/me").handler(rc -> {
      rc.response().putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
      rc.next();
    });
    // The design card, in order: authenticate (Clerk JWT or API key), limit, then the handler
    // that reads the caller's row and writes the envelope.
    router.get("/v1/me")
        .handler(services.auth())
        .handler(services.rateLimiter())
        .handler(me::get);
    // authenticate, limit, refuse API keys and non-JSON bodies unread, read the bounded body,
    // validate it against the schema (the validated patch goes on the context), then the
    // non-blocking upsert, which writes the envelope. Two routes on purpose: vertx-web puts a
    // BodyHandler before user handlers on one route, but the caller must be known (and an API key
    // refused) before a byte of body is read.
    router.patch("/v1/me")
        .handler(services.auth())
        .handler(services.rateLimiter())
        .handler(me::rejectApiKeys)
        .handler(services.patchBody()::requireJson);
    router.patch("/v1/me")
        .handler(body)
        .handler(services.patchBody())
        .handler(me::patch);

    probes(router, services, reads);
    router.get("/openapi.json").handler(services.openApi());
    router.get("/docs").handler(services.docs()::page);
    for (String asset : services.docs().assetPaths()) {
      router.get(asset).handler(services.docs()::asset);
    }
    return finish(router, paths);
  }

  /**
   * The management router of one event loop ({@code MANAGEMENT_PORT}): {@code /metrics}, and the
   * probes again, so an orchestrator may probe either port.
   */
  public static Router management(Vertx vertx, Services services, Reads reads, RequestDeadline deadline) {
    Router router = Router.router(vertx);
    Set<String> paths = ConcurrentHashMap.newKeySet();
    front(router, services, deadline, paths);
    probes(router, services, reads);
    router.get("/metrics").handler(rc -> metrics(rc, services.metrics()));
    return finish(router, paths);
  }

  /**
   * What every request meets first (its deadline, its id, its access line) and every failure
   * last (the envelope), including the answers vertx-web gives without a failed context. Returns
   * the first route, for handlers of one router only (CORS). {@code paths} are the access log's
   * route labels, filled by {@link #finish}.
   */
  private static Route front(Router router, Services services, RequestDeadline deadline, Set<String> paths) {
    ErrorMapper errors = new ErrorMapper(path -> allowedMethods(router, path));
    RequestId requestId = new RequestId();
    AccessLog accessLog = new AccessLog(services.metrics(), paths);
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

  private static void probes(Router router, Services services, Reads reads) {
    router.get("/health/live").handler(services.health()::live);
    Reads.Statement ping = reads.statement(Sql.PING);
    router.get("/health/ready").handler(rc -> services.health().ready(rc, ping));
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
  private static void metrics(RoutingContext rc, Metrics metrics) {
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
