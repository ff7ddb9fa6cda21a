package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The preference registry: what GET renders and the schema a PATCH body must follow. */
@Tag("unit")
class PreferencesTest {

  @Test
  void everyKnownKeyIsRenderedWithItsDefaultUntilSet() {
    JsonObject rendered = Preferences.REGISTRY.render(new JsonObject());

    assertTrue(rendered.containsKey("timezone"));
    assertNull(rendered.getValue("timezone"));
  }

  @Test
  void aStoredValueIsRenderedAndAStoredUnknownKeyIsNot() {
    JsonObject rendered = Preferences.REGISTRY.render(new JsonObject()
        .put("timezone", "Asia/Tokyo")
        .put("retired_key", true));

    assertEquals(new JsonObject().put("timezone", "Asia/Tokyo"), rendered);
  }

  @Test
  void keysAreLookedUpByName() {
    assertEquals("timezone", Preferences.REGISTRY.get("timezone").key());
    assertNull(Preferences.REGISTRY.get("theme"));
    List<String> keys = new ArrayList<>();
    Preferences.REGISTRY.all().forEach(p -> keys.add(p.key()));
    assertEquals(List.of("timezone"), keys);
  }

  @Test
  void thePatchSchemaAllowsOnlyPreferencesAndOnlyKnownKeys() {
    JsonObject schema = Preferences.REGISTRY.patchSchema();

    assertEquals(false, schema.getValue("additionalProperties"));
    assertEquals(List.of("preferences"), List.copyOf(schema.getJsonObject("properties").fieldNames()));
    JsonObject preferences = schema.getJsonObject("properties").getJsonObject("preferences");
    assertEquals("object", preferences.getString("type"));
    assertEquals(false, preferences.getValue("additionalProperties"));
    assertEquals(Preferences.REGISTRY.get("timezone").schema(), preferences.getJsonObject("properties").getJsonObject("timezone"));
  }

  @Test
  void aRegisteredPreferenceIsPartOfTheSchemaAndTheRendering() {
    Preference timezone = Preferences.REGISTRY.get("timezone");
    Preferences registry = new Preferences(List.of(timezone, new FlagPreference()));

    assertSame(timezone, registry.get("timezone"));
    assertEquals(new JsonObject().put("timezone", null).put("compact", false), registry.render(new JsonObject()));
    assertTrue(registry.patchSchema().getJsonObject("properties").getJsonObject("preferences")
        .getJsonObject("properties").containsKey("compact"));
  }

  /** A second, hypothetical preference: a boolean that defaults to false. */
  private static final class FlagPreference implements Preference {
    @Override
    public String key() {
      return "compact";
    }

    @Override
    public JsonObject schema() {
      return new JsonObject().put("type", new io.vertx.core.json.JsonArray().add("boolean").add("null"));
    }

    @Override
    public JsonObject documentation() {
      return new JsonObject().put("description", "Compact layout.").put("examples", new io.vertx.core.json.JsonArray().add(true));
    }

    @Override
    public String typeMessage() {
      return "must be a boolean or null";
    }

    @Override
    public Object defaultValue() {
      return false;
    }

    @Override
    public Object normalize(Object value) {
      return value;
    }
  }
}
