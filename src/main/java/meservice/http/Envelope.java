package meservice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one envelope writer: every body the service sends under /v1, and every error, goes out here. */
public final class Envelope {

  static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence BEARER = HttpHeaders.createOptimized("Bearer");

  private Envelope() {}

  public static void ok(RoutingContext rc, JsonObject data) {
    // One encode straight into the buffer that is sent: no intermediate copy of the data.
    Buffer body = new JsonObject(new LinkedHashMap<>(4)).put("success", true).put("data", data).toBuffer();
    rc.response()
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body);
  }

  public static void error(RoutingContext rc, ApiError error) {
    error(rc.response(), RequestId.of(rc), error);
  }

  /** Also for answers written outside the router, such as requests Netty could not decode. */
  public static void error(HttpServerResponse response, String requestId, ApiError error) {
    if (response.headWritten()) {
      // Too late for an envelope: the status line is gone. Closing tells the client it failed.
      response.reset();
      return;
    }
    JsonObject body = new JsonObject()
        .put("code", error.code.name())
        .put("message", error.getMessage())
        .put("request_id", requestId);
    if (!error.details.isEmpty()) {
      JsonObject details = new JsonObject();
      for (Map.Entry<String, String> entry : error.details.entrySet()) {
        details.put(entry.getKey(), entry.getValue());
      }
      body.put("details", details);
    }
    switch (error.code) {
      case UNAUTHORIZED -> response.putHeader(WWW_AUTHENTICATE, BEARER);
      case RATE_LIMITED, UNAVAILABLE -> response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfterSeconds));
      default -> { }
    }
    send(response, error.code.status, new JsonObject().put("success", false).put("error", body));
  }

  private static void send(HttpServerResponse response, int status, JsonObject envelope) {
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(envelope.toBuffer());
  }
}
