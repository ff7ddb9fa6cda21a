package meservice.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Values from unverified tokens reach the log quoted, escaped and bounded. */
@Tag("unit")
class LogSafeTest {

  @Test
  void newlinesQuotesAndControlCharactersAreEscaped() {
    String quoted = LogSafe.quote("x\"\n2026-01-01 INFO forged\r\t\u0000\\");

    assertEquals("\"x\\\"\\u000a2026-01-01 INFO forged\\u000d\\u0009\\u0000\\\\\"", quoted);
    assertFalse(quoted.chars().anyMatch(c -> c < 0x20));
  }

  @Test
  void longValuesAreCutTo64CharactersAndSayHowLongTheyWere() {
    String quoted = LogSafe.quote("a".repeat(10_000));

    assertTrue(quoted.startsWith("\"" + "a".repeat(64) + "\""), quoted);
    assertTrue(quoted.endsWith("(10000 chars)"), quoted);
    assertTrue(quoted.length() < 90);
  }

  @Test
  void jsonScalarsAreShownAsThemselves() {
    assertEquals("null", LogSafe.quote(null));
    assertEquals("1", LogSafe.quote(1));
    assertEquals("true", LogSafe.quote(true));
  }
}
