package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The envelope and request ids on every answer, including the framework's own 404 and 405. */
class EnvelopeTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private static final String ULID = "[0-7][0-9A-HJKMNP-TV-Z]{25}";

  @Test
  void successIsAnEnvelopeWithDataAndNoError() {
    Response response = service.api().get(Tokens.session(Tokens.newUserId()));

    JsonObject body = response.json();
    assertEquals(true, body.getBoolean("success"));
    assertTrue(body.containsKey("data"));
    assertFalse(body.containsKey("error"));
    assertFalse(body.containsKey("meta"), "meta only where it has content");
    assertTrue(response.header("Content-Type").startsWith("application/json"));
  }

  @Test
  void everyResponseCarriesAFreshUlidRequestId() {
    String first = service.api().get(Tokens.session(Tokens.newUserId())).header("X-Request-Id");
    String second = service.api().get(Tokens.session(Tokens.newUserId())).header("X-Request-Id");

    assertTrue(first.matches(ULID), first);
    assertTrue(second.matches(ULID), second);
    assertNotEquals(first, second);
  }

  @Test
  void validIncomingRequestIdIsAdopted() {
    String incoming = "01JTBQH2FZ8K1RXC0WJ4Z9P3VM";

    Response response = service.api().send("GET", "/v1/me", Map.of("X-Request-Id", incoming), null);

    assertEquals(incoming, response.header("X-Request-Id"));
    assertEquals(incoming, response.error().getString("request_id"));
  }

  @Test
  void invalidIncomingRequestIdIsIgnored() {
    for (String incoming : new String[] {"abc", "81JTBQH2FZ8K1RXC0WJ4Z9P3VM", "01JTBQH2FZ8K1RXC0WJ4Z9P3VU", "x".repeat(26)}) {
      Response response = service.api().send("GET", "/v1/me", Map.of("X-Request-Id", incoming), null);

      assertNotEquals(incoming, response.header("X-Request-Id"));
      assertTrue(response.header("X-Request-Id").matches(ULID));
    }
  }

  @Test
  void unknownRouteIsNotFoundInTheEnvelope() {
    Response response = service.api().send("GET", "/v2/me", Map.of(), null);

    assertEquals(404, response.status());
    assertEquals("NOT_FOUND", response.error().getString("code"));
    assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
    assertTrue(response.header("Content-Type").startsWith("application/json"));
  }

  @Test
  void otherMethodOnAKnownPathIs405WithAllow() {
    Response response = service.api().send("DELETE", "/v1/me", Map.of("Authorization", "Bearer x"), null);

    assertEquals(405, response.status());
    assertEquals("METHOD_NOT_ALLOWED", response.error().getString("code"));
    assertEquals("GET, PATCH", response.header("Allow"));
  }

  @Test
  void errorsCarryNoStackTraceOrInternalReason() {
    Response response = service.api().get("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");

    assertEquals(401, response.status());
    assertEquals(Map.of("code", "UNAUTHORIZED", "message", "authentication failed",
        "request_id", response.header("X-Request-Id")), response.error().getMap());
  }
}
