package meservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.MainProcess;
import meservice.support.MainProcess.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jar's command line as a new user meets it, run as a process with an empty environment:
 * asking for help succeeds, and a mistake says what is wrong and exits 2 (a usage error) without
 * touching any database.
 */
class CommandLineTest {

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help", "apikey --help"})
  void helpPrintsTheUsageAndExitsZero(String args) {
    Result result = MainProcess.run(Map.of(), args.split(" "));

    assertEquals(0, result.exit(), result.output());
    assertTrue(result.stdout().startsWith("usage: "), result.stdout());
    assertTrue(result.stdout().contains("apikey create --org ORG"), result.stdout());
    assertEquals("", result.stderr());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "apikey create                             | apikey create: --org is required",
      "apikey create --org org_a --scope me:read | apikey create: unknown option --scope (did you mean --scopes?)",
      "apikey                                    | apikey: which one? create, list or revoke",
      "user set-staff user_a maybe               | user set-staff: the flag must be true or false, not 'maybe'",
      "frobnicate                                | me-service: unknown command 'frobnicate'",
  })
  void aUsageErrorSaysWhatIsWrongThenHowAndExitsTwo(String args, String problem) {
    Result result = MainProcess.run(Map.of(), args.split(" "));

    assertEquals(2, result.exit(), result.output());
    assertEquals("", result.stdout());
    String[] lines = result.stderr().split("\n");
    assertEquals(problem, lines[0]);
    assertTrue(lines[1].startsWith("usage: "), result.stderr());
  }
}
