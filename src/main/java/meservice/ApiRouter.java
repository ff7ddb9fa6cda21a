package meservice;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.TreeSet;
import meservice.http.ErrorMapper;
import meservice.http.RequestId;

/** The production routes; tests mount exactly this router. */
public final class ApiRouter {

  private ApiRouter() {}

  public static Router create(Vertx vertx, Services services) {
    Router router = Router.router(vertx);
    ErrorMapper errors = new ErrorMapper(path -> allowedMethods(router, path));
    BodyHandler body = BodyHandler.create(false).setBodyLimit(services.config().bodyLimitBytes());

    router.route().handler(new RequestId()).failureHandler(errors);

    router.get("/v1/me")
        .handler(services.auth())
        .handler(services.me()::get);
    // Two routes on purpose: vertx-web puts a BodyHandler before user handlers on one route,
    // but the caller must be known (and an API key refused) before a byte of body is read.
    router.patch("/v1/me")
        .handler(services.auth())
        .handler(services.me()::rejectApiKeys)
        .handler(services.me()::requireJsonBody);
    router.patch("/v1/me")
        .handler(body)
        .handler(services.me()::patch);

    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    return router;
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
