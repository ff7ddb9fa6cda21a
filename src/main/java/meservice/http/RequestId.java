package meservice.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** First handler of every request: adopts a valid incoming ULID {@code X-Request-Id} or makes one. */
public final class RequestId implements Handler<RoutingContext> {

  public static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");
  private static final String KEY = "request_id";

  @Override
  public void handle(RoutingContext rc) {
    assign(rc);
    rc.next();
  }

  /** Gives the request its id: the incoming one if it is a valid ULID, else a new one. */
  public void assign(RoutingContext rc) {
    String id = Ulid.canonical(rc.request().getHeader(HEADER));
    if (id == null) {
      id = Ulid.next();
    }
    rc.put(KEY, id);
    rc.response().putHeader(HEADER, id);
  }

  public static boolean assigned(RoutingContext rc) {
    return rc.get(KEY) != null;
  }

  public static String of(RoutingContext rc) {
    String id = rc.get(KEY);
    return id != null ? id : "";
  }
}
