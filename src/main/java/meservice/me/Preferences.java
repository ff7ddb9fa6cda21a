package meservice.me;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of known preference keys, and what is built from it: the JSON Schema a PATCH body is
 * validated against, and the {@code preferences} schemas of the OpenAPI document.
 */
public final class Preferences {

  /** The production registry; tests may run the service with another ({@link #of}). */
  public static final Preferences REGISTRY = new Preferences(List.of(new TimezonePreference()));

  private final Map<String, Preference> byKey = new LinkedHashMap<>();

  Preferences(List<Preference> preferences) {
    for (Preference preference : preferences) {
      byKey.put(preference.key(), preference);
    }
  }

  public static Preferences of(Preference... preferences) {
    return new Preferences(List.of(preferences));
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

  /** OpenAPI schema of a Me payload's {@code preferences}: every key present, {@code null} when unset. */
  public JsonObject documentedSchema() {
    JsonArray required = new JsonArray();
    byKey.keySet().forEach(required::add);
    return new JsonObject()
        .put("type", "object")
        .put("description", "Every known preference key is always present; an unset key is null.")
        .put("required", required)
        .put("additionalProperties", false)
        .put("properties", documentedValues());
  }

  /** OpenAPI schema of {@code preferences} in a PATCH body: any subset of the keys. */
  public JsonObject documentedPatchSchema() {
    return new JsonObject()
        .put("type", "object")
        .put("description", "A JSON Merge Patch (RFC 7396) of the preferences: an absent key is left"
            + " unchanged, a value sets it, null clears it.")
        .put("additionalProperties", false)
        .put("properties", documentedValues());
  }

  /** A {@code preferences} object as documented examples show it: each key's first example. */
  public JsonObject example() {
    JsonObject example = new JsonObject();
    for (Preference preference : byKey.values()) {
      JsonArray examples = preference.documentation().getJsonArray("examples");
      example.put(preference.key(), examples == null || examples.isEmpty() ? null : examples.getValue(0));
    }
    return example;
  }

  /** Each key's validation schema with its documentation keywords. */
  private JsonObject documentedValues() {
    JsonObject properties = new JsonObject();
    for (Preference preference : byKey.values()) {
      properties.put(preference.key(), preference.schema().copy().mergeIn(preference.documentation()));
    }
    return properties;
  }
}
