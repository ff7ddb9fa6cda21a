package meservice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How long and how many requests wait for the database: defaults in conf/config.json, checked overrides. */
@Tag("unit")
class DatabaseLimitsTest {

  @Test
  void defaultsBoundEveryWait() {
    AppConfig config = ConfigLoader.load(Map.of("DB_POOL_SIZE", "4"));

    assertEquals(new AppConfig.DatabaseLimits(Duration.ofMillis(1000), 4 * 64, Duration.ofMillis(5000)),
        config.database().limits());
  }

  @Test
  void environmentOverridesThem() {
    AppConfig config = ConfigLoader.load(Map.of(
        "DB_MAX_WAIT_QUEUE", "2", "DB_CONNECT_TIMEOUT_MS", "250", "DB_STATEMENT_TIMEOUT_MS", "0"));

    assertEquals(new AppConfig.DatabaseLimits(Duration.ofMillis(250), 2, Duration.ZERO), config.database().limits());
  }

  @Test
  void malformedValueNamesTheVariable() {
    assertEquals("DB_CONNECT_TIMEOUT_MS: 0 is outside 100..60000",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DB_CONNECT_TIMEOUT_MS", "0"))).getMessage());
    assertEquals("DB_STATEMENT_TIMEOUT_MS: '5s' is not a whole number",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DB_STATEMENT_TIMEOUT_MS", "5s"))).getMessage());
    assertEquals("DB_MAX_WAIT_QUEUE: -1 is outside 0..1000000",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DB_MAX_WAIT_QUEUE", "-1"))).getMessage());
  }
}
