package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.App;
import meservice.config.ConfigException;
import meservice.config.ConfigLoader;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;

/** When the OTEL_* variables turn tracing on (docs/tracing.md), and that they are not ours to refuse. */
class TracingSettingsTest {

  @Test
  void noOtelVariableLeavesTracingOff() {
    assertFalse(Tracing.enabled(Map.of()));
    assertFalse(Tracing.enabled(Map.of("OTEL_SERVICE_NAME", "me", "OTEL_TRACES_SAMPLER", "always_on")));
  }

  @Test
  void anOtlpEndpointTurnsTracingOn() {
    assertTrue(Tracing.enabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")));
    assertTrue(Tracing.enabled(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces")));
  }

  @Test
  void aTracesExporterOtherThanNoneTurnsTracingOn() {
    assertTrue(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp")));
    assertTrue(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "console")));
  }

  @Test
  void theTracesExporterNoneWinsOverAnEndpoint() {
    assertFalse(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "none",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")));
  }

  @Test
  void otelSdkDisabledWinsOverEverything() {
    assertFalse(Tracing.enabled(Map.of("OTEL_SDK_DISABLED", "true", "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")));
  }

  @Test
  void theConfigLoaderLeavesOtelVariablesToTheSdk() {
    Map<String, String> env = TestConfig.envWithoutDatabase();
    for (String name : new String[] {"OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_PROPAGATORS",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT"}) {
      env.put(name, "x");
    }
    assertDoesNotThrow(() -> ConfigLoader.load(env));
  }

  @Test
  void anOtelSettingTheSdkRefusesIsAConfigurationError() {
    ConfigException refused = assertThrows(ConfigException.class, () -> App.vertx(Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_TRACES_SAMPLER", "sometimes")));
    assertTrue(refused.getMessage().startsWith("OTEL_*: "), refused.getMessage());
    assertTrue(refused.getMessage().contains("sometimes"), refused.getMessage());
  }
}
