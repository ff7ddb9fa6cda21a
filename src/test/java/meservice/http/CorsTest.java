package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import meservice.config.ConfigLoader;
import meservice.support.Api.Response;
import meservice.RoutesOnly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CORS for the dashboard: the origins are CLERK_AUTHORIZED_PARTIES, every other origin gets nothing;
 * in dev (the flag only the dev command's load sets), any loopback origin as well.
 */
class CorsTest {

  @RegisterExtension
  static final RoutesOnly service = RoutesOnly.withDefaults();

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

  @Test
  void serveGivesALoopbackOriginOnAnotherPortNoCorsHeaders() {
    Response response = preflight("http://localhost:4321");

    assertNull(response.header("Access-Control-Allow-Origin"));
    assertTrue(response.status() >= 400, "not a successful preflight: " + response.status());
  }

  @Test
  void withLoopbackAnyPortEveryLoopbackNameAndPortIsAllowed() {
    Cors dev = new Cors(List.of("http://localhost:3000"), true);

    for (String origin : List.of("http://localhost:4321", "http://127.0.0.1:4321", "http://[::1]:4321",
        "http://LOCALHOST:5173/", "http://localhost", "https://localhost:8443", "http://127.0.0.1:65535")) {
      assertTrue(dev.allows(origin), origin);
    }
  }

  @Test
  void withLoopbackAnyPortAnOriginThatOnlyLooksLocalIsNotAllowed() {
    Cors dev = new Cors(List.of("http://localhost:3000"), true);

    for (String origin : List.of("http://localhost.evil.example:4321", "http://evil.example/localhost:4321",
        "http://127.0.0.2:4321", "http://192.168.1.5:3000", "http://localhost:4321/app", "http://localhost:70000",
        "http://localhost:0", "file://localhost", "null", "http://user@localhost:4321")) {
      assertFalse(dev.allows(origin), origin);
    }
  }

  @Test
  void withoutLoopbackAnyPortOnlyTheListedOriginsAreAllowed() {
    Cors serve = new Cors(List.of("http://localhost:3000"));

    assertTrue(serve.allows("http://localhost:3000"));
    assertFalse(serve.allows("http://localhost:4321"));
    assertFalse(serve.allows("http://127.0.0.1:3000"));
  }

  @Test
  void onlyTheDevCommandsLoadTurnsLoopbackOriginsOnNoVariableDoes() {
    Map<String, String> env = Map.of("CORS_LOOPBACK_ANY_PORT", "true", "DEV", "true");

    assertFalse(ConfigLoader.load(env).corsLoopbackAnyPort());
    assertTrue(ConfigLoader.loadForDev(env).corsLoopbackAnyPort());
  }

  private static Response preflight(String origin) {
    return service.api().send("OPTIONS", "/v1/me", Map.of(
        "Origin", origin,
        "Access-Control-Request-Method", "PATCH",
        "Access-Control-Request-Headers", "authorization, content-type"), null);
  }

  /** A successful cross-origin GET: CORS is the API router's, the same on every route. */
  private static Response get(String origin) {
    return service.api().send("GET", "/openapi.json", Map.of("Origin", origin), null);
  }
}
