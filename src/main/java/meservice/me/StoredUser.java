package meservice.me;

import io.vertx.core.json.JsonObject;

/** What the database holds for a user; {@link #NEVER_WRITTEN} for a user without a row. */
public record StoredUser(JsonObject preferences, boolean isStaff, long version) {

  public static final StoredUser NEVER_WRITTEN = new StoredUser(new JsonObject(), false, 0);
}
