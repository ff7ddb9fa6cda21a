package meservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import meservice.dev.DevDatabase;

/** One real PostgreSQL (embedded, fresh data directory) for the whole test JVM. */
public final class TestDatabase {

  private static DevDatabase database;

  private TestDatabase() {}

  public static synchronized String url() {
    if (database == null) {
      try {
        database = DevDatabase.start(null, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          database.close();
        } catch (IOException ignored) {
          // JVM is exiting.
        }
      }));
    }
    return database.url();
  }
}
