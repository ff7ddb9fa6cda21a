package meservice.me;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import meservice.http.ApiError;
import meservice.http.ErrorCode;
import meservice.http.StrictJson;

/**
 * Turns a PATCH body into a {@link PreferencesPatch}: JSON syntax, the registry's
 * JSON Schema (vertx-json-schema, compiled once), then each preference's own rule.
 */
public final class PatchParser {

  private static final int MAX_DETAILS = 10;
  /** The key of the entry that counts the invalid fields past {@link #MAX_DETAILS}: never a dotted path of a field. */
  static final String MORE = "*";
  /** Bodies accepted recently, keyed by their exact bytes: bounded in count and in the size of each. */
  private static final int REMEMBERED_BODIES = 1024;
  private static final int REMEMBERED_BODY_BYTES = 256;

  private final Preferences preferences;
  private final Validator validator;
  private final Map<String, PreferencesPatch> accepted = new ConcurrentHashMap<>();
  /** Members validated per level: every member the schema allows, and enough others to fill the details. */
  private final int checkedMembers;

  public PatchParser(Preferences preferences) {
    this.preferences = preferences;
    int allowed = 0;
    for (Preference ignored : preferences.all()) {
      allowed++;
    }
    this.checkedMembers = allowed + MAX_DETAILS + 1;
    this.validator = Validator.create(
        JsonSchema.of(preferences.patchSchema()),
        new JsonSchemaOptions()
            .setDraft(Draft.DRAFT202012)
            .setBaseUri("https://me-service/schemas/")
            .setOutputFormat(OutputFormat.Basic));
  }

  /** The media type was checked before the body was read ({@link #isJson}). */
  public PreferencesPatch parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return PreferencesPatch.EMPTY;
    }
    if (body.length() > REMEMBERED_BODY_BYTES) {
      return parseJson(body);
    }
    // The outcome is a pure function of the bytes and a dashboard sends a handful of distinct
    // bodies ({"preferences":{"timezone":"Europe/Paris"}}): an accepted body is decoded, validated
    // and normalised once, then answered from memory. At the bound the map is emptied: the few
    // bodies in use are parsed again on their next request, and a plain map's hit is cheaper than
    // a Caffeine cache's (BENCHMARKS.md, "Caches on the hot path").
    String bytes = body.toString(StandardCharsets.ISO_8859_1);
    PreferencesPatch known = accepted.get(bytes);
    if (known != null) {
      return known;
    }
    PreferencesPatch parsed = parseJson(body);
    if (accepted.size() >= REMEMBERED_BODIES) {
      accepted.clear();
    }
    accepted.put(bytes, parsed);
    return parsed;
  }

  private PreferencesPatch parseJson(Buffer body) {
    Object document;
    try {
      document = StrictJson.decode(body.getBytes());
    } catch (DecodeException e) {
      throw ApiError.withDetails(ErrorCode.VALIDATION_ERROR, Map.of("body", "malformed JSON"));
    }
    Bounded bounded = bounded(document);
    OutputUnit result = validator.validate(bounded.document());
    if (!result.getValid()) {
      throw ApiError.withDetails(ErrorCode.VALIDATION_ERROR, details(result, bounded.leftOut()));
    }
    JsonObject patch = ((JsonObject) document).getJsonObject("preferences");
    if (patch == null || patch.isEmpty()) {
      return PreferencesPatch.EMPTY;
    }
    JsonObject set = new JsonObject();
    List<String> clear = new ArrayList<>();
    for (String key : patch.fieldNames()) {
      Object value = patch.getValue(key);
      if (value == null) {
        clear.add(key);
      } else {
        set.put(key, preferences.get(key).normalize(value));
      }
    }
    return new PreferencesPatch(set, List.copyOf(clear));
  }

  public static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return mediaType.equals("application/json") || mediaType.equals("application/merge-patch+json");
  }

  /**
   * One entry per bad field, named by its dotted path. The validator also reports each failing
   * parent ("preferences" because "preferences.timezone" failed); only the deepest entries are
   * kept. At most {@value #MAX_DETAILS}, then one entry ({@value #MORE}) counting the rest, so a
   * body of a thousand unknown keys does not echo a thousand keys back. Linear in the number of
   * errors (sets, not pairwise comparisons): a 16 KiB body holds over two thousand of them.
   */
  private Map<String, String> details(OutputUnit result, int leftOut) {
    List<OutputUnit> errors = result.getErrors() == null ? List.of(result) : result.getErrors();
    Set<String> locations = new LinkedHashSet<>();
    Set<String> parents = new HashSet<>();
    for (OutputUnit error : errors) {
      String location = location(error.getInstanceLocation());
      if (locations.add(location)) {
        for (int slash = location.lastIndexOf('/'); slash >= 0; slash = location.lastIndexOf('/', slash - 1)) {
          parents.add(location.substring(0, slash));
        }
      }
    }
    Map<String, String> details = new LinkedHashMap<>();
    int more = leftOut;
    for (String location : locations) {
      if (parents.contains(location)) {
        continue;
      }
      if (details.size() < MAX_DETAILS) {
        List<String> path = pointer(location);
        details.put(path.isEmpty() ? "body" : String.join(".", path), message(path));
      } else {
        more++;
      }
    }
    if (more > 0) {
      details.putIfAbsent(MORE, more + " more invalid " + (more == 1 ? "field" : "fields") + " not listed");
    }
    return details;
  }

  /** A body cut down for the validator, and how many members were cut (each one an error). */
  private record Bounded(Object document, int leftOut) {}

  /**
   * The body with at most {@link #checkedMembers} members at the top and in {@code preferences},
   * the members the schema allows ({@code preferences}, the registry's keys) kept first. The
   * schema ({@link Preferences#patchSchema}) allows nothing else at either level, so a member cut
   * is an error of its own: counted, not validated. The validator's cost grows with the errors it
   * reports (about 10 ms of an event loop for the 2,000 unknown keys a 16 KiB body holds); bounded
   * so, it checks a few dozen members whatever the body holds.
   */
  private Bounded bounded(Object document) {
    if (!(document instanceof JsonObject body)) {
      return new Bounded(document, 0);
    }
    JsonObject kept = new JsonObject();
    int leftOut = 0;
    if (body.containsKey("preferences")) {
      Object value = body.getValue("preferences");
      if (value instanceof JsonObject given && given.size() > checkedMembers) {
        JsonObject keys = new JsonObject();
        for (Map.Entry<String, Object> member : given) {
          if (preferences.get(member.getKey()) != null) {
            keys.put(member.getKey(), member.getValue());
          }
        }
        for (Map.Entry<String, Object> member : given) {
          if (preferences.get(member.getKey()) == null) {
            if (keys.size() < checkedMembers) {
              keys.put(member.getKey(), member.getValue());
            } else {
              leftOut++;
            }
          }
        }
        value = keys;
      }
      kept.put("preferences", value);
    }
    for (Map.Entry<String, Object> member : body) {
      if (!member.getKey().equals("preferences")) {
        if (kept.size() < checkedMembers) {
          kept.put(member.getKey(), member.getValue());
        } else {
          leftOut++;
        }
      }
    }
    return new Bounded(kept, leftOut);
  }

  private String message(List<String> path) {
    if (path.isEmpty()) {
      return "must be a JSON object";
    }
    if (!path.get(0).equals("preferences")) {
      return "unknown field";
    }
    if (path.size() == 1) {
      return "must be an object";
    }
    Preference preference = preferences.get(path.get(1));
    return preference == null ? "unknown preference" : preference.typeMessage();
  }

  /** The JSON pointer of an error's instance location, without the {@code #} of its URI form. */
  private static String location(String location) {
    if (location == null) {
      return "";
    }
    return location.startsWith("#") ? location.substring(1) : location;
  }

  private static List<String> pointer(String location) {
    List<String> tokens = new ArrayList<>();
    if (location.isEmpty()) {
      return tokens;
    }
    for (String token : location.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }
}
