package meservice.me;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A validated JSON Merge Patch of the preferences: canonical values to set, keys to clear.
 * Shared between requests once parsed (see {@link PatchParser}): never mutated after creation.
 */
public record PreferencesPatch(JsonObject set, List<String> clear) {

  public static final PreferencesPatch EMPTY = new PreferencesPatch(new JsonObject(), List.of());

  public boolean isEmpty() {
    return set.isEmpty() && clear.isEmpty();
  }
}
