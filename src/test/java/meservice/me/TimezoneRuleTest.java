package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import meservice.http.ApiError;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract's timezone rule, as the PATCH route applies it to a well-typed value (PatchMeTest
 * shows the route storing the canonical spelling and answering INVALID_TIMEZONE).
 */
@Tag("unit")
class TimezoneRuleTest {

  private final TimezonePreference timezone = new TimezonePreference();

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
    assertEquals(stored, timezone.normalize(given));
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(strings = {
      "+05:00", "-08:00", "UTC+1", "GMT+01:00", "Z", "EST", "PST", "CEST", "Etc/Unknown", "Mars/Olympus",
      "", " ", " UTC", "UTC ", "SystemV/EST5", "systemv/pst8pdt", "America/New_York\u0000",
      "America/Los_Angeles/Extra", "../../etc/passwd",
  })
  void anythingElseIsInvalidTimezone(String given) {
    assertInvalidTimezone(given);
  }

  @ParameterizedTest(name = "{0} characters are rejected")
  @ValueSource(ints = {65, 1000})
  void namesOver64CharactersAreRejected(int length) {
    assertInvalidTimezone("A".repeat(length));
  }

  private void assertInvalidTimezone(String given) {
    ApiError error = assertThrows(ApiError.class, () -> timezone.normalize(given));
    assertEquals(TimezonePreference.INVALID_TIMEZONE, error.code);
    assertEquals("invalid timezone", error.getMessage());
    assertEquals(Map.of("timezone", "unknown IANA timezone"), error.details);
  }
}
