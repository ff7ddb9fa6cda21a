package meservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.MainProcess;
import meservice.support.MainProcess.Result;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} configured so that it would run with a check silently off stops before it
 * starts: one line naming the setting, exit 2 (the invocation is wrong, as with a usage error),
 * and no database is touched.
 */
class ConfigurationErrorTest {

  @Test
  void serveWithAKeyButNoIssuerRefusesToStart() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("CLERK_ISSUER");

    Result result = MainProcess.run(env, "serve");

    assertEquals(2, result.exit(), result.output());
    assertEquals("me-service: configuration error: CLERK_ISSUER: missing: the Clerk instance's issuer (its Frontend "
        + "API URL, https://clerk.example.com); to accept tokens of any issuer the key signed, set ALLOW_ANY_ISSUER=true\n",
        result.stderr());
  }

  @Test
  void aMisspeltVariableStopsServeWithTheSettingItMeant() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.put("CLERK_AUTHORISED_PARTIES", env.remove("CLERK_AUTHORIZED_PARTIES"));

    Result result = MainProcess.run(env, "serve");

    assertEquals(2, result.exit(), result.output());
    assertEquals("me-service: configuration error: CLERK_AUTHORISED_PARTIES: not a setting of this service; "
        + "did you mean CLERK_AUTHORIZED_PARTIES? (unset it, or rename it)\n", result.stderr());
  }

  @Test
  void aLogLevelLogbackWouldMisreadStopsServe() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.put("LOG_LEVEL", "verbose");

    Result result = MainProcess.run(env, "serve");

    assertEquals(2, result.exit(), result.output());
    assertEquals("me-service: configuration error: LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF\n",
        result.stderr());
  }

  @Test
  void aGrpcExporterStopsServeNamingTheProtocol() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");

    Result result = MainProcess.run(env, "serve");

    assertEquals(2, result.exit(), result.output());
    assertEquals("me-service: configuration error: OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not bundled in this build; "
        + "use http/protobuf (the default here; a collector's OTLP/HTTP port is 4318)\n", result.stderr());
  }

  @Test
  void anOtelSettingTheSdkRefusesStopsServeWithItsMessage() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    env.put("OTEL_BSP_SCHEDULE_DELAY", "soon");

    Result result = MainProcess.run(env, "serve");

    assertEquals(2, result.exit(), result.output());
    assertTrue(result.stderr().startsWith("me-service: configuration error: OTEL_*: "), result.output());
    assertTrue(result.stderr().contains("soon"), result.output());
    assertEquals(1, result.stderr().lines().count(), result.output());
  }
}
