package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import meservice.App;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The envelope and request ids on every answer, including the framework's own 404 and 405. */
@ExtendWith(VertxExtension.class)
class EnvelopeTest {

  private static final String ULID = "[0-7][0-9A-HJKMNP-TV-Z]{25}";

  private static App app;
  private static Api api;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    App.start(vertx, TestConfig.config()).onComplete(ctx.succeeding(started -> {
      app = started;
      api = new Api(started.port());
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    app.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void successIsAnEnvelopeWithDataAndNoError() {
    Response response = api.get(Tokens.session(Tokens.newUserId()));

    JsonObject body = response.json();
    assertEquals(true, body.getBoolean("success"));
    assertTrue(body.containsKey("data"));
    assertFalse(body.containsKey("error"));
    assertFalse(body.containsKey("meta"), "meta only where it has content");
    assertTrue(response.header("Content-Type").startsWith("application/json"));
  }

  @Test
  void everyResponseCarriesAFreshUlidRequestId() {
    String first = api.get(Tokens.session(Tokens.newUserId())).header("X-Request-Id");
    String second = api.get(Tokens.session(Tokens.newUserId())).header("X-Request-Id");

    assertTrue(first.matches(ULID), first);
    assertTrue(second.matches(ULID), second);
    assertNotEquals(first, second);
  }

  @Test
  void validIncomingRequestIdIsAdopted() {
    String incoming = "01JTBQH2FZ8K1RXC0WJ4Z9P3VM";

    Response response = api.send("GET", "/v1/me", Map.of("X-Request-Id", incoming), null);

    assertEquals(incoming, response.header("X-Request-Id"));
    assertEquals(incoming, response.error().getString("request_id"));
  }

  @Test
  void invalidIncomingRequestIdIsIgnored() {
    for (String incoming : new String[] {"abc", "81JTBQH2FZ8K1RXC0WJ4Z9P3VM", "01JTBQH2FZ8K1RXC0WJ4Z9P3VU", "x".repeat(26)}) {
      Response response = api.send("GET", "/v1/me", Map.of("X-Request-Id", incoming), null);

      assertNotEquals(incoming, response.header("X-Request-Id"));
      assertTrue(response.header("X-Request-Id").matches(ULID));
    }
  }

  @Test
  void unknownRouteIsNotFoundInTheEnvelope() {
    Response response = api.send("GET", "/v2/me", Map.of(), null);

    assertEquals(404, response.status());
    assertEquals("NOT_FOUND", response.error().getString("code"));
    assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
    assertTrue(response.header("Content-Type").startsWith("application/json"));
  }

  @Test
  void otherMethodOnAKnownPathIs405WithAllow() {
    Response response = api.send("DELETE", "/v1/me", Map.of("Authorization", "Bearer x"), null);

    assertEquals(405, response.status());
    assertEquals("METHOD_NOT_ALLOWED", response.error().getString("code"));
    assertEquals("GET, PATCH", response.header("Allow"));
  }

  @Test
  void errorsCarryNoStackTraceOrInternalReason() {
    Response response = api.get("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");

    assertEquals(401, response.status());
    assertEquals(Map.of("code", "UNAUTHORIZED", "message", "authentication failed",
        "request_id", response.header("X-Request-Id")), response.error().getMap());
  }
}
