package meservice.me;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of known preference keys, and the JSON Schema of a PATCH body built from it. */
public final class Preferences {

  public static final Preferences REGISTRY = new Preferences(List.of(new TimezonePreference()));

  private final Map<String, Preference> byKey = new LinkedHashMap<>();

  Preferences(List<Preference> preferences) {
    for (Preference preference : preferences) {
      byKey.put(preference.key(), preference);
    }
  }

  public Preference get(String key) {
    return byKey.get(key);
  }

  public Iterable<Preference> all() {
    return byKey.values();
  }

  /** Every known key, set or not: unset keys render as their default. */
  public JsonObject render(JsonObject stored) {
    JsonObject out = new JsonObject();
    for (Preference preference : byKey.values()) {
      out.put(preference.key(), stored.getValue(preference.key(), preference.defaultValue()));
    }
    return out;
  }

  /** Draft 2020-12 schema of {@code PATCH /v1/me}: only {@code preferences}, only known keys. */
  public JsonObject patchSchema() {
    JsonObject properties = new JsonObject();
    for (Preference preference : byKey.values()) {
      properties.put(preference.key(), preference.schema());
    }
    return new JsonObject()
        .put("$schema", "https://json-schema.org/draft/2020-12/schema")
        .put("type", "object")
        .put("additionalProperties", false)
        .put("properties", new JsonObject().put("preferences", new JsonObject()
            .put("type", "object")
            .put("additionalProperties", false)
            .put("properties", properties)));
  }
}
