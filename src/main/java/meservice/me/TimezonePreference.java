package meservice.me;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import meservice.http.ApiError;
import meservice.http.ErrorCode;

/**
 * {@code timezone}: an ID of the runtime's tz database, matched ignoring case and stored in the
 * database's own spelling. {@code ZoneId.of} alone would accept offsets ({@code +05:00},
 * {@code UTC+1}, {@code Z}) and is case-sensitive, so the lookup is an explicit table.
 */
public final class TimezonePreference implements Preference {

  /** Answered for a name that is not a zone ID of the tz database. */
  public static final ErrorCode INVALID_TIMEZONE = new ErrorCode("INVALID_TIMEZONE", 400, "invalid timezone");
  private static final int MAX_LENGTH = 64;
  private static final Map<String, String> CANONICAL_BY_LOWER_CASE = table();

  @Override
  public String key() {
    return "timezone";
  }

  @Override
  public JsonObject schema() {
    return new JsonObject().put("type", new JsonArray().add("string").add("null"));
  }

  @Override
  public JsonObject documentation() {
    return new JsonObject()
        .put("minLength", 1)
        .put("maxLength", MAX_LENGTH)
        .put("description", "An IANA time zone name such as America/New_York, matched ignoring case and"
            + " stored in the tz database's own spelling. null: not set (in a PATCH: clear it).")
        .put("examples", new JsonArray().add("America/New_York"));
  }

  @Override
  public String typeMessage() {
    return "must be a string or null";
  }

  @Override
  public Object defaultValue() {
    return null;
  }

  @Override
  public Object normalize(Object value) {
    String canonical = canonical((String) value);
    if (canonical == null) {
      throw ApiError.withDetails(INVALID_TIMEZONE, Map.of("timezone", "unknown IANA timezone"));
    }
    return canonical;
  }

  /** The tz database's spelling of {@code name}, or {@code null} when it is not a zone ID. */
  static String canonical(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      return null;
    }
    return CANONICAL_BY_LOWER_CASE.get(name.toLowerCase(Locale.ROOT));
  }

  private static Map<String, String> table() {
    Map<String, String> table = new HashMap<>();
    for (String id : ZoneId.getAvailableZoneIds()) {
      // SystemV/* are fixed-offset relics the tz project itself has removed.
      if (!id.startsWith("SystemV/")) {
        table.put(id.toLowerCase(Locale.ROOT), id);
      }
    }
    return Map.copyOf(table);
  }
}
