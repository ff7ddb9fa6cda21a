package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.config.ConfigLoader;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} is served on the management port only (an unauthenticated scrape costs as much
 * as a couple of hundred requests); the probes answer on both ports, so a Kubernetes probe may use
 * either.
 */
class ManagementPortTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  @Test
  void metricsAreServedOnTheManagementPortOnly() {
    Response onApi = service.api().send("GET", "/metrics", Map.of(), null);

    assertEquals(404, onApi.status());
    assertEquals("NOT_FOUND", onApi.error().getString("code"));
    Response onManagement = service.api().metrics();
    assertEquals(200, onManagement.status());
    assertTrue(onManagement.text().contains("http_server_requests_seconds_count"));
    assertNotEquals(service.app().port(), service.app().managementPort());
  }

  @Test
  void theProbesAnswerOnBothPorts() {
    for (Api api : new Api[] {service.api(), service.api().management()}) {
      for (String probe : new String[] {"/health/live", "/health/ready"}) {
        Response response = api.send("GET", probe, Map.of(), null);

        assertEquals(200, response.status(), probe + ": " + response.text());
        assertTrue(response.json().getBoolean("success"));
      }
    }
  }

  @Test
  void theManagementPortAnswersAnythingElseWithTheEnvelope() {
    Response response = service.api().management().send("GET", "/v1/me", Map.of(), null);

    assertEquals(404, response.status());
    assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
  }

  @Test
  void theManagementListenerDefaultsToPort9090OnTheApiHost() {
    assertEquals(new AppConfig.Management("0.0.0.0", 9090), ConfigLoader.load(Map.of()).http().management());
    assertEquals(new AppConfig.Management("127.0.0.1", 9090),
        ConfigLoader.load(Map.of("HOST", "127.0.0.1")).http().management());
    assertEquals(new AppConfig.Management("10.0.0.7", 9100),
        ConfigLoader.load(Map.of("MANAGEMENT_HOST", "10.0.0.7", "MANAGEMENT_PORT", "9100")).http().management());
    assertEquals("MANAGEMENT_PORT: 8080 is PORT too; the management listener needs a port of its own",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("MANAGEMENT_PORT", "8080"))).getMessage());
  }
}
