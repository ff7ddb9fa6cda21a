package meservice.me;

import io.vertx.core.json.JsonObject;

/**
 * One user preference key: everything needed to accept, store, render and document it. A new
 * preference is one more entry in {@link Preferences#REGISTRY}; no route, table, migration or
 * hand edit of the OpenAPI document changes.
 */
public interface Preference {

  String key();

  /** JSON Schema of the value in a PATCH body; {@code null} (clear) must be allowed. */
  JsonObject schema();

  /**
   * What the OpenAPI document adds to {@link #schema()} for readers and generated clients: a
   * {@code description}, {@code examples} (the first one is used in the documented responses) and
   * the bounds {@link #normalize} enforces (a value outside them is still a 400, but with the
   * preference's own error code rather than the schema's).
   */
  JsonObject documentation();

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
