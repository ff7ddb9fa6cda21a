package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Map;
import meservice.auth.Ids;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract's "PATCH semantics": JSON Merge Patch on preferences, no-ops, media types, limits. */
class PatchMeTest {

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
  void nonEmptyBodyOfAnotherContentTypeIs415AndWritesNothing() {
    Response response = service.api().send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + token, "Content-Type", "text/plain"),
        "{\"preferences\": {\"timezone\": \"Africa/Cairo\"}}");

    assertEquals(415, response.status());
    assertEquals("UNSUPPORTED_MEDIA_TYPE", response.error().getString("code"));
    assertNull(stored());
  }

  @Test
  void formBodyIs415AndIsNeverParsedAsAForm() {
    Response response = service.api().send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/x-www-form-urlencoded"), "\t");

    assertEquals(415, response.status());
    assertEquals("UNSUPPORTED_MEDIA_TYPE", response.error().getString("code"));
  }

  @Test
  void duplicateMembersAreMalformedJson() {
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"UTC\", \"timezone\": \"Asia/Tokyo\"}}");

    assertValidationError(response, Map.of("body", "malformed JSON"));
  }

  @Test
  void commentsAreMalformedJson() {
    Response response = service.api().patch(token, "/* hi */ {\"preferences\": {\"timezone\": \"UTC\"}}");

    assertValidationError(response, Map.of("body", "malformed JSON"));
  }

  @Test
  void nonEmptyBodyWithoutContentTypeIs415() {
    Response response = service.api().send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token), "{}");

    assertEquals(415, response.status());
  }

  @Test
  void bodyOverTheLimitIs413AndWritesNothing() {
    String padding = "x".repeat(17 * 1024);
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"" + padding + "\"}}");

    assertEquals(413, response.status());
    assertEquals("PAYLOAD_TOO_LARGE", response.error().getString("code"));
    assertNull(stored());
  }

  @Test
  void bodyJustUnderTheLimitIsRead() {
    String padding = " ".repeat(16 * 1024 - 60);
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}" + padding);

    assertEquals(200, response.status());
  }

  @Test
  void wrongValueTypeIsAValidationErrorNamingTheField() {
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": 5}}");

    assertValidationError(response, Map.of("preferences.timezone", "must be a string or null"));
  }

  @Test
  void unknownPreferenceKeyIsAValidationError() {
    Response response = service.api().patch(token, "{\"preferences\": {\"theme\": \"dark\"}}");

    assertValidationError(response, Map.of("preferences.theme", "unknown preference"));
  }

  @Test
  void unknownTopLevelMemberIsAValidationError() {
    Response response = service.api().patch(token, "{\"is_staff\": true, \"preferences\": {\"timezone\": \"UTC\"}}");

    assertValidationError(response, Map.of("is_staff", "unknown field"));
  }

  @Test
  void preferencesNullIsAValidationError() {
    Response response = service.api().patch(token, "{\"preferences\": null}");

    assertValidationError(response, Map.of("preferences", "must be an object"));
  }

  @Test
  void nonObjectPreferencesIsAValidationError() {
    Response response = service.api().patch(token, "{\"preferences\": [\"UTC\"]}");

    assertValidationError(response, Map.of("preferences", "must be an object"));
  }

  @Test
  void nonObjectBodyIsAValidationError() {
    Response response = service.api().patch(token, "[1, 2]");

    assertValidationError(response, Map.of("body", "must be a JSON object"));
  }

  @Test
  void malformedJsonIsAValidationError() {
    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": ");

    assertValidationError(response, Map.of("body", "malformed JSON"));
  }

  @Test
  void everyBadFieldIsNamedAtOnce() {
    Response response = service.api().patch(token, "{\"org_id\": 1, \"preferences\": {\"timezone\": false, \"x\": 1}}");

    assertValidationError(response, Map.of(
        "org_id", "unknown field",
        "preferences.timezone", "must be a string or null",
        "preferences.x", "unknown preference"));
  }

  @Test
  void aRejectedPatchLeavesTheStoredStateAlone() {
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    JsonObject before = stored();

    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}");
    service.api().patch(token, "{\"preferences\": {\"timezone\": 1}}");

    assertEquals(before, stored());
  }

  private void assertValidationError(Response response, Map<String, String> details) {
    assertEquals(400, response.status(), response.text());
    JsonObject error = response.error();
    assertEquals("VALIDATION_ERROR", error.getString("code"));
    assertEquals(new JsonObject(Map.copyOf(details)), error.getJsonObject("details"));
    assertNull(stored(), "a rejected body must not write");
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
