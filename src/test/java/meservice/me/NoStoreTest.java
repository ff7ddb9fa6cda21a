package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every answer of {@code /v1/me}, success or error, is {@code Cache-Control: no-store}: it is one caller's own. */
class NoStoreTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  @Test
  void successesAreNoStore() {
    Api api = service.api();
    String token = Tokens.session(Tokens.newUserId());

    Response patched = api.patch(token, "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}");
    Response read = api.get(token);
    Response notModified = api.send("GET", "/v1/me",
        Map.of("Authorization", "Bearer " + token, "If-None-Match", read.header("ETag")), null);

    for (Response response : new Response[] {patched, read, notModified}) {
      assertEquals("no-store", response.header("Cache-Control"), response.status() + " " + response.text());
    }
    assertEquals(304, notModified.status());
  }

  @Test
  void errorsOfTheRouteAreNoStore() {
    Api api = service.api();
    String token = Tokens.session(Tokens.newUserId());

    Response[] errors = {
        api.get(null),
        api.get("not-a-token"),
        api.patch(token, "{\"preferences\": {\"timezone\": 5}}"),
        api.send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token, "If-Match", "\"9-0\"",
            "Content-Type", "application/json"), "{}"),
        api.send("POST", "/v1/me", Map.of(), "{}"),
        api.send("GET", "/v1/me/", Map.of(), null)};

    int[] statuses = {401, 401, 400, 412, 405, 401};
    for (int i = 0; i < errors.length; i++) {
      assertEquals(statuses[i], errors[i].status(), errors[i].text());
      assertEquals("no-store", errors[i].header("Cache-Control"), errors[i].status() + " " + errors[i].text());
    }
  }

  @Test
  void otherRoutesKeepTheirOwnCaching() {
    assertNull(service.api().send("GET", "/health/live", Map.of(), null).header("Cache-Control"));
    assertEquals("no-cache", service.api().send("GET", "/docs", Map.of(), null).header("Cache-Control"));
  }
}
