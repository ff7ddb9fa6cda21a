package meservice.me;

import io.vertx.core.json.JsonObject;

/**
 * One user preference key: everything needed to accept, store and render it. A new preference is
 * one more entry in {@link Preferences#REGISTRY}; no route, table or migration changes.
 */
public interface Preference {

  String key();

  /** JSON Schema of the value in a PATCH body; {@code null} (clear) must be allowed. */
  JsonObject schema();

  /** The {@code details} text when a value breaks {@link #schema()}. */
  String typeMessage();

  /** What GET renders while the user has not set the key. */
  Object defaultValue();

  /**
   * The value to store for a schema-valid, non-null input, in its canonical form.
   *
   * @throws meservice.http.ApiError when the value is well-typed but not acceptable
   */
  Object normalize(Object value);
}
