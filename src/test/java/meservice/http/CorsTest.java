package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
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

/** CORS for the dashboard: the origins are CLERK_AUTHORIZED_PARTIES, every other origin gets nothing. */
@ExtendWith(VertxExtension.class)
class CorsTest {

  private static final String DASHBOARD = "https://dashboard.example.com";
  private static final String STRANGER = "https://evil.example.net";

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
    Response response = api.send("GET", "/v1/me", Map.of("Origin", DASHBOARD), null);

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
    return api.send("OPTIONS", "/v1/me", Map.of(
        "Origin", origin,
        "Access-Control-Request-Method", "PATCH",
        "Access-Control-Request-Headers", "authorization, content-type"), null);
  }

  private static Response get(String origin) {
    return api.send("GET", "/v1/me", Map.of("Origin", origin,
        "Authorization", "Bearer " + Tokens.session(Tokens.newUserId())), null);
  }
}
