package meservice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The API-key cache and last-use settings: defaults in conf/config.json, checked overrides. */
@Tag("unit")
class ApiKeySettingsTest {

  @Test
  void defaultsComeFromConfJson() {
    assertEquals(new AppConfig.ApiKeySettings(new AppConfig.Cache(10000, Duration.ofSeconds(60)), Duration.ofSeconds(10)), ConfigLoader.load(Map.of()).apiKeys());
  }

  @Test
  void environmentOverridesThem() {
    AppConfig config = ConfigLoader.load(Map.of(
        "API_KEY_CACHE_SIZE", "0", "API_KEY_CACHE_TTL_SECONDS", "5", "API_KEY_LAST_USED_FLUSH_SECONDS", "1"));

    assertEquals(new AppConfig.ApiKeySettings(new AppConfig.Cache(0, Duration.ofSeconds(5)), Duration.ofSeconds(1)), config.apiKeys());
  }

  @Test
  void malformedValueNamesTheVariable() {
    assertEquals("API_KEY_CACHE_TTL_SECONDS: 0 is outside 1..86400",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("API_KEY_CACHE_TTL_SECONDS", "0"))).getMessage());
    assertEquals("API_KEY_LAST_USED_FLUSH_SECONDS: 'often' is not a whole number",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("API_KEY_LAST_USED_FLUSH_SECONDS", "often"))).getMessage());
  }
}
