package meservice.identity;

import io.vertx.ext.web.RoutingContext;

/**
 * Where a request's {@link Principal} is kept on its context: set by the authentication handler,
 * read by whatever runs after it (handlers, the access log) without depending on how it was verified.
 */
public final class RequestPrincipal {

  private static final String KEY = "principal";

  private RequestPrincipal() {}

  /** The authenticated caller, or {@code null} before authentication or when it refused the request. */
  public static Principal of(RoutingContext rc) {
    return rc.get(KEY);
  }

  public static void set(RoutingContext rc, Principal principal) {
    rc.put(KEY, principal);
  }
}
