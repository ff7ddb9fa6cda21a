package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract's timezone rule, through the real PATCH endpoint. */
class TimezoneRuleTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  @ParameterizedTest(name = "{0} is stored as {1}")
  @CsvSource({
      "America/New_York, America/New_York",
      "america/new_york, America/New_York",
      "AMERICA/NEW_YORK, America/New_York",
      "Asia/Calcutta, Asia/Calcutta",
      "US/Eastern, US/Eastern",
      "UTC, UTC",
      "utc, UTC",
      "Etc/GMT+5, Etc/GMT+5",
      "America/Argentina/Buenos_Aires, America/Argentina/Buenos_Aires",
  })
  void tzDatabaseIdsAreAcceptedIgnoringCaseAndStoredInTheirOwnSpelling(String given, String stored) {
    String token = Tokens.session(Tokens.newUserId());

    Response response = service.api().patch(token, new JsonObject()
        .put("preferences", new JsonObject().put("timezone", given)).encode());

    assertEquals(200, response.status(), response.text());
    assertEquals(stored, response.data().getJsonObject("preferences").getString("timezone"));
    assertEquals(stored, service.api().get(token).data().getJsonObject("preferences").getString("timezone"));
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(strings = {
      "+05:00", "-08:00", "UTC+1", "GMT+01:00", "Z", "EST", "PST", "CEST", "Etc/Unknown", "Mars/Olympus",
      "", " ", " UTC", "UTC ", "SystemV/EST5", "systemv/pst8pdt", "America/New_York\u0000",
      "America/Los_Angeles/Extra", "../../etc/passwd",
  })
  void anythingElseIsInvalidTimezone(String given) {
    String token = Tokens.session(Tokens.newUserId());

    Response response = service.api().patch(token, new JsonObject()
        .put("preferences", new JsonObject().put("timezone", given)).encode());

    assertInvalidTimezone(response);
  }

  @ParameterizedTest(name = "{0} characters are rejected")
  @ValueSource(ints = {65, 1000})
  void namesOver64CharactersAreRejected(int length) {
    String token = Tokens.session(Tokens.newUserId());

    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"" + "A".repeat(length) + "\"}}");

    assertInvalidTimezone(response);
  }

  private static void assertInvalidTimezone(Response response) {
    assertEquals(400, response.status(), response.text());
    JsonObject error = response.error();
    assertEquals("INVALID_TIMEZONE", error.getString("code"));
    assertEquals("invalid timezone", error.getString("message"));
    assertEquals(new JsonObject().put("timezone", "unknown IANA timezone"), error.getJsonObject("details"));
  }
}
