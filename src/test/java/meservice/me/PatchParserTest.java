package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import meservice.http.ApiError;
import meservice.http.ErrorCode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A PATCH body to a validated merge patch, without HTTP or PostgreSQL. The route's answers to the
 * same bodies (status, envelope, nothing written) are PatchMeTest's table.
 */
@Tag("unit")
class PatchParserTest {

  private final PatchParser parser = new PatchParser(Preferences.REGISTRY);

  @Test
  void anAbsentOrEmptyBodyIsTheEmptyPatch() {
    assertSame(PreferencesPatch.EMPTY, parser.parse(null));
    assertSame(PreferencesPatch.EMPTY, parser.parse(Buffer.buffer()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"preferences\": {}}", " { \"preferences\" : { } } "})
  void bodiesThatChangeNothingAreEmpty(String body) {
    assertTrue(parse(body).isEmpty());
  }

  @Test
  void aSetValueIsStoredInItsCanonicalForm() {
    PreferencesPatch patch = parse("{\"preferences\": {\"timezone\": \"europe/paris\"}}");

    assertEquals(new JsonObject().put("timezone", "Europe/Paris"), patch.set());
    assertEquals(List.of(), patch.clear());
  }

  @Test
  void nullClearsTheKey() {
    PreferencesPatch patch = parse("{\"preferences\": {\"timezone\": null}}");

    assertEquals(new JsonObject(), patch.set());
    assertEquals(List.of("timezone"), patch.clear());
    assertFalse(patch.isEmpty());
  }

  @Test
  void aWellTypedButUnknownTimezoneIsInvalidTimezone() {
    ApiError error = rejected("{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}");

    assertEquals(TimezonePreference.INVALID_TIMEZONE, error.code);
    assertEquals(Map.of("timezone", "unknown IANA timezone"), error.details);
  }

  @Test
  void onlyTheDeepestFailingPathIsNamed() {
    ApiError error = rejected("{\"preferences\": {\"timezone\": 5}}");

    assertEquals(ErrorCode.VALIDATION_ERROR, error.code);
    assertEquals(Map.of("preferences.timezone", "must be a string or null"), error.details,
        "not also \"preferences\" and \"body\", whose checks failed because of it");
  }

  @Test
  void aThousandBadKeysAreReportedAsTenAndACountOfTheRest() {
    StringBuilder body = new StringBuilder("{\"preferences\": {");
    for (int i = 0; i < 1000; i++) {
      body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": 1");
    }
    ApiError error = rejected(body.append("}}").toString());

    assertEquals(11, error.details.size());
    assertEquals("990 more invalid fields not listed", error.details.get("*"));
    error.details.forEach((field, message) -> {
      if (!field.equals("*")) {
        assertTrue(field.matches("preferences\\.k\\d+"), field);
        assertEquals("unknown preference", message);
      }
    });
  }

  @Test
  void theWorstBodyTheLimitLetsThroughIsCountedExactly() {
    // 16 KiB of the shortest distinct keys, at the top and inside preferences, with a bad timezone.
    StringBuilder body = new StringBuilder("{\"preferences\": {\"timezone\": 5");
    int preferenceKeys = 0;
    while (body.length() < 8 * 1024) {
      body.append(",\"").append(Integer.toString(preferenceKeys++, 36)).append("\":0");
    }
    body.append("}");
    int fields = 0;
    while (body.length() < 16 * 1024 - 16) {
      body.append(",\"").append(Integer.toString(fields++, 36)).append("\":0");
    }
    ApiError error = rejected(body.append("}").toString());

    assertEquals(ErrorCode.VALIDATION_ERROR, error.code);
    assertEquals(11, error.details.size(), error.details.toString());
    assertEquals("must be a string or null", error.details.get("preferences.timezone"),
        "a known key's own error is never cut: known keys are checked first");
    int listed = 9;
    assertEquals((preferenceKeys + fields + 1 - listed - 1) + " more invalid fields not listed", error.details.get("*"));
  }

  @Test
  void oneInvalidFieldPastTheTenIsCountedInTheSingular() {
    StringBuilder body = new StringBuilder("{\"preferences\": {}");
    for (int i = 0; i < 11; i++) {
      body.append(",\"f").append(i).append("\": 1");
    }
    ApiError error = rejected(body.append("}").toString());

    assertEquals("1 more invalid field not listed", error.details.get("*"));
  }

  @Test
  void anAcceptedSmallBodyIsParsedOnceAndReused() {
    String body = "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}";

    PreferencesPatch first = parse(body);

    assertSame(first, parse(body), "same bytes, same validated patch");
    assertNotSame(first, parse(body + " "), "other bytes are parsed on their own");
  }

  @Test
  void aRejectedBodyIsRejectedEveryTime() {
    String body = "{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}";

    rejected(body);

    assertEquals(TimezonePreference.INVALID_TIMEZONE, rejected(body).code);
  }

  @Test
  void aBodyOverTheRememberedSizeIsStillParsed() {
    String body = "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}" + " ".repeat(1024);

    assertEquals(new JsonObject().put("timezone", "Asia/Tokyo"), parse(body).set());
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "Application/JSON; charset=UTF-8", "application/merge-patch+json",
      " application/json ;charset=utf-8"})
  void jsonMediaTypesAreRead(String contentType) {
    assertTrue(PatchParser.isJson(contentType));
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "json", ""})
  void otherMediaTypesAreNot(String contentType) {
    assertFalse(PatchParser.isJson(contentType));
  }

  @Test
  void noMediaTypeIsNotJson() {
    assertFalse(PatchParser.isJson(null));
  }

  private PreferencesPatch parse(String body) {
    return parser.parse(Buffer.buffer(body));
  }

  private ApiError rejected(String body) {
    return assertThrows(ApiError.class, () -> parse(body));
  }
}
