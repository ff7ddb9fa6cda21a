package meservice.cli;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletionException;
import meservice.config.AppConfig;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code user ...}'s arguments as Main passes them; no database: every case here ends before one is opened. */
@Tag("unit")
@ExtendWith(VertxExtension.class)
class UserCommandTest {

  private static final AppConfig WITHOUT_DATABASE = TestConfig.config(TestConfig.envWithoutDatabase());

  @Test
  void aUsageErrorSaysWhatIsWrongThenShowsTheUsage(Vertx vertx) {
    assertEquals("user: which one? set-staff", usageError(vertx, "user"));
    assertEquals("user: unknown command 'promote'", usageError(vertx, "user", "promote"));
    assertEquals("user set-staff: a Clerk user id and true or false are required",
        usageError(vertx, "user", "set-staff", "user_a"));
    assertEquals("user set-staff: unexpected argument 'now'", usageError(vertx, "user", "set-staff", "user_a", "true", "now"));
    assertEquals("user set-staff: the flag must be true or false, not 'yes'", usageError(vertx, "user", "set-staff", "user_a", "yes"));
  }

  @Test
  void helpIsTheUsageAndNeedsNoDatabase(Vertx vertx) {
    for (List<String> help : List.of(List.of("help"), List.of("--help"), List.of("-h"), List.of("set-staff", "--help"))) {
      String[] args = new String[help.size() + 1];
      args[0] = "user";
      System.arraycopy(help.toArray(String[]::new), 0, args, 1, help.size());
      assertEquals(UserCommand.USAGE, await(UserCommand.run(vertx, WITHOUT_DATABASE, args)), help.toString());
    }
  }

  /** The first line of the usage error; the rest must be the usage. */
  private static String usageError(Vertx vertx, String... args) {
    CompletionException failure = assertThrows(CompletionException.class,
        () -> await(UserCommand.run(vertx, WITHOUT_DATABASE, args)));
    assertInstanceOf(IllegalArgumentException.class, failure.getCause());
    List<String> lines = failure.getCause().getMessage().lines().toList();
    assertEquals(List.of(UserCommand.USAGE), lines.subList(1, lines.size()), failure.getCause().getMessage());
    return lines.get(0);
  }
}
