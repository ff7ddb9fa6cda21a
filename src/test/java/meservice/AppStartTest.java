package meservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.support.CapturedLogs;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link App#start} refuses settings {@code serve} cannot run with before it opens anything (the
 * refusals need no database: their URL is never connected to), and once started says in one
 * line which security settings it runs with.
 */
@ExtendWith(VertxExtension.class)
class AppStartTest {

  @Test
  void startRefusesSettingsServeCannotStartWith(Vertx vertx) {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("CLERK_ISSUER");

    ConfigException error = assertThrows(ConfigException.class, () -> App.start(vertx, TestConfig.config(env)));

    assertTrue(error.getMessage().startsWith("CLERK_ISSUER: missing"), error.getMessage());
  }

  @Test
  void invalidPemKeyIsRefusedAtStartUp(Vertx vertx) {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.put("CLERK_JWT_KEY", "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");

    ConfigException error = assertThrows(ConfigException.class, () -> App.start(vertx, TestConfig.config(env)));

    assertEquals("CLERK_JWT_KEY: not a valid RSA public key", error.getMessage());
  }

  @Test
  void theStartUpLineSummarisesTheSecuritySettingsAndNoSecret(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7");
    AppConfig config = TestConfig.config(env);
    String line;
    try (CapturedLogs logs = CapturedLogs.of(App.class)) {
      App app = App.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      line = logs.messages().stream().filter(m -> m.startsWith("me-service listening")).findFirst().orElseThrow();
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    assertTrue(line.contains("issuer " + config.clerk().issuer()), line);
    assertTrue(line.contains("authorized parties " + String.join(" ", config.clerk().authorizedParties())), line);
    assertTrue(line.contains("algorithms RS256"), line);
    assertTrue(line.contains("keys CLERK_JWT_KEY (PEM)"), line);
    assertTrue(line.contains("trusted proxies 10.0.0.0/8 192.168.1.7/32"), line);
    assertTrue(line.contains("rate limit off"), line);
    assertTrue(line.contains("failed authentications unlimited"), line);
    assertFalse(line.contains(config.database().url()), line);
    assertFalse(line.contains("BEGIN PUBLIC KEY"), line);
  }
}
