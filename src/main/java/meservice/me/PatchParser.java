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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
  /** Bodies accepted recently, keyed by their exact bytes: bounded in count and in the size of each. */
  private static final int REMEMBERED_BODIES = 1024;
  private static final int REMEMBERED_BODY_BYTES = 256;

  private final Preferences preferences;
  private final Validator validator;
  private final Map<String, PreferencesPatch> accepted = new ConcurrentHashMap<>();

  public PatchParser(Preferences preferences) {
    this.preferences = preferences;
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
    // A dashboard sends a handful of distinct bodies ({"preferences":{"timezone":"Europe/Paris"}}),
    // and the outcome is a pure function of the bytes: an accepted body is decoded, validated
    // and normalised once instead of per request (the schema validator was a quarter of PATCH's CPU).
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
    OutputUnit result = validator.validate(document);
    if (!result.getValid()) {
      throw ApiError.withDetails(ErrorCode.VALIDATION_ERROR, details(result));
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
   * kept. Capped, so a body of a thousand unknown keys does not echo a thousand keys back.
   */
  private Map<String, String> details(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors() == null ? List.of(result) : result.getErrors();
    List<List<String>> paths = new ArrayList<>();
    for (OutputUnit error : errors) {
      List<String> path = pointer(error.getInstanceLocation());
      if (!paths.contains(path)) {
        paths.add(path);
      }
    }
    Map<String, String> details = new LinkedHashMap<>();
    for (List<String> path : paths) {
      boolean hasDeeperError = paths.stream()
          .anyMatch(other -> other.size() > path.size() && other.subList(0, path.size()).equals(path));
      if (!hasDeeperError && details.size() < MAX_DETAILS) {
        details.put(path.isEmpty() ? "body" : String.join(".", path), message(path));
      }
    }
    return details;
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

  private static List<String> pointer(String location) {
    List<String> tokens = new ArrayList<>();
    if (location == null || location.isEmpty() || location.equals("#")) {
      return tokens;
    }
    String pointer = location.startsWith("#") ? location.substring(1) : location;
    for (String token : pointer.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }
}
