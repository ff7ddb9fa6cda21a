package meservice.support;

import io.vertx.core.Vertx;
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

  /**
   * A new, empty database on the same server, named {@code prefix} and a unique suffix, for a test
   * that must start from scratch or must not touch the others' backends: its URL.
   */
  public static String fresh(Vertx vertx, String prefix) {
    String name = prefix + "_" + Long.toHexString(System.nanoTime());
    try (Admin server = Admin.connect(vertx, url())) {
      server.query("CREATE DATABASE " + name);
    }
    return url().replaceFirst("/[^/]*$", "/" + name);
  }
}
