package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import meservice.identity.Ids;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract's "PATCH semantics": JSON Merge Patch on preferences, no-ops, media types, limits. */
class PatchMeTest {

  private static final String JSON = "application/json";

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private String sub;
  private String token;

  @BeforeEach
  void newUser() {
    sub = Tokens.newUserId();
    token = Tokens.session(sub);
  }

  @Test
  void patchSetsTimezoneAndReturnsTheFullMePayload() {
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"America/Los_Angeles\"}}");

    assertEquals(200, response.status());
    JsonObject body = response.json();
    assertEquals(true, body.getBoolean("success"));
    JsonObject me = body.getJsonObject("data");
    assertEquals(Ids.userId(sub).toString(), me.getString("user_id"));
    assertTrue(me.containsKey("org_id"));
    assertEquals(false, me.getBoolean("is_staff"));
    assertEquals("America/Los_Angeles", me.getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void getReadsBackWhatPatchStored() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}");

    Response response = service.api().get(token);

    assertEquals(200, response.status());
    assertEquals("Europe/Paris", response.data().getJsonObject("preferences").getString("timezone"));
  }

  /** The rule itself is {@link TimezoneRuleTest}'s table; here, that the route applies it. */
  @Test
  void timezoneIsMatchedIgnoringCaseAndStoredInTheTzDatabasesSpelling() {
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"america/new_york\"}}");

    assertEquals(200, response.status(), response.text());
    assertEquals("America/New_York", response.data().getJsonObject("preferences").getString("timezone"));
    assertEquals("America/New_York", stored().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void unsetTimezoneRendersAsNullForAUserNeverSeenBefore() {
    Response response = service.api().get(token);

    assertEquals(200, response.status());
    JsonObject preferences = response.data().getJsonObject("preferences");
    assertTrue(preferences.containsKey("timezone"));
    assertNull(preferences.getValue("timezone"));
  }

  @Test
  void nullClearsAPreviouslySetTimezone() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");

    Response cleared = service.api().patch(token, "{\"preferences\": {\"timezone\": null}}");

    assertEquals(200, cleared.status());
    assertNull(cleared.data().getJsonObject("preferences").getValue("timezone"));
    assertNull(service.api().get(token).data().getJsonObject("preferences").getValue("timezone"));
    assertEquals(new JsonObject(), stored().getJsonObject("preferences"));
  }

  @Test
  void absentKeyIsLeftUnchanged() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");

    Response response = service.api().patch(token, "{\"preferences\": {}}");

    assertEquals("Asia/Tokyo", response.data().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void emptyBodyIsANoOpThatWritesNothing() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    JsonObject before = stored();

    Response response = service.api().send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token), null);

    assertEquals(200, response.status());
    assertEquals("Asia/Tokyo", response.data().getJsonObject("preferences").getString("timezone"));
    assertEquals(before, stored());
  }

  @Test
  void emptyObjectIsANoOpThatWritesNothing() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    JsonObject before = stored();

    Response response = service.api().patch(token, "{}");

    assertEquals(200, response.status());
    assertEquals("Asia/Tokyo", response.data().getJsonObject("preferences").getString("timezone"));
    assertEquals(before, stored());
  }

  @Test
  void emptyPreferencesIsANoOpThatWritesNothing() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    JsonObject before = stored();

    Response response = service.api().patch(token, "{\"preferences\": {}}");

    assertEquals(200, response.status());
    assertEquals(before, stored());
  }

  @Test
  void noOpForAUserNeverSeenCreatesNoRow() {
    assertEquals(200, service.api().patch(token, "{}").status());

    assertNull(stored());
  }

  @Test
  void everyRealPatchIsOneWriteThatBumpsTheVersion() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    long first = stored().getLong("version");

    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Seoul\"}}");

    assertEquals(first + 1, stored().getLong("version"));
  }

  @Test
  void mergePatchContentTypeIsAccepted() {
    Response response = service.api().send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/merge-patch+json"),
        "{\"preferences\": {\"timezone\": \"Africa/Cairo\"}}");

    assertEquals(200, response.status());
    assertEquals("Africa/Cairo", response.data().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void jsonWithACharsetParameterIsAccepted() {
    Response response = service.api().send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + token, "Content-Type", "Application/JSON; charset=UTF-8"),
        "{\"preferences\": {\"timezone\": \"Africa/Cairo\"}}");

    assertEquals(200, response.status());
  }

  @Test
  void bodyJustUnderTheLimitIsRead() {
    String padding = " ".repeat(16 * 1024 - 60);
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}" + padding);

    assertEquals(200, response.status());
  }

  /**
   * Every body PATCH refuses, as one table: media type (the body's Content-Type, or none), body →
   * status, error code, details. Each row also checks that nothing was written.
   */
  static Stream<Arguments> rejectedBodies() {
    return Stream.of(
        argumentSet("another media type is 415", "text/plain",
            "{\"preferences\": {\"timezone\": \"Africa/Cairo\"}}", 415, "UNSUPPORTED_MEDIA_TYPE", Map.of()),
        argumentSet("a form body is 415 and never parsed as a form", "application/x-www-form-urlencoded",
            "\t", 415, "UNSUPPORTED_MEDIA_TYPE", Map.of()),
        argumentSet("a non-empty body without a media type is 415", null,
            "{}", 415, "UNSUPPORTED_MEDIA_TYPE", Map.of()),
        argumentSet("a body over the 16 KiB limit is 413", JSON,
            "{\"preferences\": {\"timezone\": \"" + "x".repeat(17 * 1024) + "\"}}", 413, "PAYLOAD_TOO_LARGE", Map.of()),
        argumentSet("duplicate members are malformed JSON", JSON,
            "{\"preferences\": {\"timezone\": \"UTC\", \"timezone\": \"Asia/Tokyo\"}}", 400, "VALIDATION_ERROR",
            Map.of("body", "malformed JSON")),
        argumentSet("comments are malformed JSON", JSON,
            "/* hi */ {\"preferences\": {\"timezone\": \"UTC\"}}", 400, "VALIDATION_ERROR",
            Map.of("body", "malformed JSON")),
        argumentSet("truncated JSON is malformed JSON", JSON,
            "{\"preferences\": {\"timezone\": ", 400, "VALIDATION_ERROR",
            Map.of("body", "malformed JSON")),
        argumentSet("a body that is not an object", JSON,
            "[1, 2]", 400, "VALIDATION_ERROR",
            Map.of("body", "must be a JSON object")),
        argumentSet("an unknown top-level member", JSON,
            "{\"is_staff\": true, \"preferences\": {\"timezone\": \"UTC\"}}", 400, "VALIDATION_ERROR",
            Map.of("is_staff", "unknown field")),
        argumentSet("preferences null", JSON,
            "{\"preferences\": null}", 400, "VALIDATION_ERROR",
            Map.of("preferences", "must be an object")),
        argumentSet("preferences not an object", JSON,
            "{\"preferences\": [\"UTC\"]}", 400, "VALIDATION_ERROR",
            Map.of("preferences", "must be an object")),
        argumentSet("an unknown preference key", JSON,
            "{\"preferences\": {\"theme\": \"dark\"}}", 400, "VALIDATION_ERROR",
            Map.of("preferences.theme", "unknown preference")),
        argumentSet("a value of the wrong type, naming the field", JSON,
            "{\"preferences\": {\"timezone\": 5}}", 400, "VALIDATION_ERROR",
            Map.of("preferences.timezone", "must be a string or null")),
        argumentSet("every bad field named at once", JSON,
            "{\"org_id\": 1, \"preferences\": {\"timezone\": false, \"x\": 1}}", 400, "VALIDATION_ERROR",
            Map.of("org_id", "unknown field", "preferences.timezone", "must be a string or null",
                "preferences.x", "unknown preference")),
        argumentSet("a timezone that is no tz database id", JSON,
            "{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}", 400, "INVALID_TIMEZONE",
            Map.of("timezone", "unknown IANA timezone")));
  }

  @ParameterizedTest
  @MethodSource("rejectedBodies")
  void aRejectedBodyAnswersItsErrorAndWritesNothing(String contentType, String body, int status, String code,
      Map<String, String> details) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Authorization", "Bearer " + token);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }

    Response response = service.api().send("PATCH", "/v1/me", headers, body);

    assertEquals(status, response.status(), response.text());
    JsonObject error = response.error();
    assertEquals(code, error.getString("code"));
    assertEquals(details.isEmpty() ? null : new JsonObject(Map.copyOf(details)), error.getJsonObject("details"));
    assertNull(stored(), "a rejected body must not write");
  }

  @Test
  void aRejectedPatchLeavesTheStoredStateAlone() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    JsonObject before = stored();

    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}");
    service.api().patch(token, "{\"preferences\": {\"timezone\": 1}}");

    assertEquals(before, stored());
  }

  /** The user's row as the database has it, or {@code null}. */
  private JsonObject stored() {
    var rows = service.app().pool()
        .preparedQuery("SELECT preferences, version, updated_at FROM users WHERE id = $1")
        .execute(Tuple.of(Ids.userId(sub)))
        .toCompletionStage().toCompletableFuture().join();
    if (rows.size() == 0) {
      return null;
    }
    Row row = rows.iterator().next();
    OffsetDateTime updated = row.getOffsetDateTime(2);
    return new JsonObject()
        .put("preferences", row.getJsonObject(0))
        .put("version", row.getLong(1))
        .put("updated_at", updated.toString());
  }
}
