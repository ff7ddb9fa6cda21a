package meservice.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CORS for the dashboard: the allowed origins are the Clerk authorized parties. A listed origin
 * gets its preflight answered here, before authentication (browsers send no credentials on a
 * preflight), and its requests get {@code Access-Control-Allow-Origin} plus the exposed headers.
 * Any other origin gets no CORS header at all and its request is otherwise served as usual:
 * vertx-web's CorsHandler would instead fail it with 403, and with an empty list allow every origin.
 *
 * <p>{@code dev} also allows any loopback origin ({@code http://localhost:<port>},
 * {@code http://127.0.0.1:<port>}, {@code http://[::1]:<port>}, and their {@code https}), since a
 * front end's dev server picks its own port (Next.js 3000, Vite 5173, Astro 4321, the next free one
 * when that is taken). {@code serve} never does: the flag comes from the {@code dev} command itself
 * ({@link meservice.config.ConfigLoader#loadForDev}), not from a setting a stray variable could turn on.
 */
public final class Cors implements Handler<RoutingContext> {

  private static final String ALLOW_METHODS = "GET, PATCH";
  private static final String ALLOW_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id";
  private static final String EXPOSE_HEADERS = "X-Request-Id, ETag";
  private static final String MAX_AGE_SECONDS = "600";
  private static final String ORIGIN = "Origin";

  /** A loopback origin with any port (or none): scheme, one of the loopback's names, an optional port. */
  private static final Pattern LOOPBACK = Pattern.compile("https?://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?");

  private final Set<String> origins;
  private final boolean loopbackAnyPort;

  /** Exactly {@code allowedOrigins}: what {@code serve} allows. */
  public Cors(List<String> allowedOrigins) {
    this(allowedOrigins, false);
  }

  /** {@code allowedOrigins}, and with {@code loopbackAnyPort} every loopback origin (dev only). */
  public Cors(List<String> allowedOrigins, boolean loopbackAnyPort) {
    this.origins = allowedOrigins.stream().map(Cors::normalize).collect(Collectors.toUnmodifiableSet());
    this.loopbackAnyPort = loopbackAnyPort;
  }

  /** Whether a request from {@code origin} gets CORS headers. */
  boolean allows(String origin) {
    String normalized = normalize(origin);
    return origins.contains(normalized) || (loopbackAnyPort && isLoopback(normalized));
  }

  /** A loopback origin whose port, when given, is a real one (1 to 65535). */
  static boolean isLoopback(String normalizedOrigin) {
    Matcher matcher = LOOPBACK.matcher(normalizedOrigin);
    if (!matcher.matches()) {
      return false;
    }
    String port = matcher.group(2);
    if (port == null) {
      return true;
    }
    int number = Integer.parseInt(port.substring(1));
    return number >= 1 && number <= 65535;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    HttpServerResponse response = rc.response();
    // Answers differ by Origin, so caches must key on it even when this one got no CORS headers.
    response.putHeader(HttpHeaders.VARY, ORIGIN);
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || !allows(origin)) {
      rc.next();
      return;
    }
    response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    boolean preflight = request.method() == HttpMethod.OPTIONS
        && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    if (preflight) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS)
          .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS)
          .setStatusCode(204)
          .end();
      return;
    }
    response.putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    rc.next();
  }

  /** Origins compare case-insensitively and without a trailing slash (operators paste URLs). */
  private static String normalize(String origin) {
    String lower = origin.trim().toLowerCase(Locale.ROOT);
    return lower.endsWith("/") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
