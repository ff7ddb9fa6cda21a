package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CORS for the dashboard: the origins are CLERK_AUTHORIZED_PARTIES, every other origin gets nothing. */
class CorsTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private static final String DASHBOARD = "https://dashboard.example.com";
  private static final String STRANGER = "https://evil.example.net";

  @Test
  void preflightOfAPatchFromTheDashboardIsAllowedWithoutCredentials() {
    Response response = preflight(DASHBOARD);

    assertEquals(204, response.status());
    assertEquals(DASHBOARD, response.header("Access-Control-Allow-Origin"));
    assertTrue(response.header("Access-Control-Allow-Methods").contains("PATCH"));
    String headers = response.header("Access-Control-Allow-Headers");
    assertTrue(headers.contains("Authorization") && headers.contains("Content-Type"), headers);
    assertTrue(response.header("Vary").contains("Origin"));
  }

  @Test
  void preflightFromAnotherOriginGetsNoCorsHeaders() {
    Response response = preflight(STRANGER);

    assertNull(response.header("Access-Control-Allow-Origin"));
    assertNull(response.header("Access-Control-Allow-Methods"));
    assertNull(response.header("Access-Control-Allow-Headers"));
    assertTrue(response.status() >= 400, "not a successful preflight: " + response.status());
  }

  @Test
  void aRequestFromTheDashboardExposesRequestIdAndETag() {
    Response response = get(DASHBOARD);

    assertEquals(200, response.status());
    assertEquals(DASHBOARD, response.header("Access-Control-Allow-Origin"));
    String exposed = response.header("Access-Control-Expose-Headers");
    assertTrue(exposed.contains("X-Request-Id") && exposed.contains("ETag"), exposed);
  }

  @Test
  void anErrorForTheDashboardStillCarriesCorsHeadersSoTheBrowserCanReadIt() {
    Response response = service.api().send("GET", "/v1/me", Map.of("Origin", DASHBOARD), null);

    assertEquals(401, response.status());
    assertEquals(DASHBOARD, response.header("Access-Control-Allow-Origin"));
  }

  @Test
  void aRequestFromAnotherOriginIsServedWithoutCorsHeaders() {
    Response response = get(STRANGER);

    assertEquals(200, response.status());
    assertNull(response.header("Access-Control-Allow-Origin"));
    assertNull(response.header("Access-Control-Expose-Headers"));
  }

  @Test
  void theLocalIssuersPartyIsAnOriginToo() {
    assertEquals("http://localhost:3000", preflight("http://localhost:3000").header("Access-Control-Allow-Origin"));
  }

  private static Response preflight(String origin) {
    return service.api().send("OPTIONS", "/v1/me", Map.of(
        "Origin", origin,
        "Access-Control-Request-Method", "PATCH",
        "Access-Control-Request-Headers", "authorization, content-type"), null);
  }

  private static Response get(String origin) {
    return service.api().send("GET", "/v1/me", Map.of("Origin", origin,
        "Authorization", "Bearer " + Tokens.session(Tokens.newUserId())), null);
  }
}
