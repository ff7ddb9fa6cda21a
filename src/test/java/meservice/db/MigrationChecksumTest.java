package meservice.db;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import meservice.config.AppConfig;
import meservice.support.Admin;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each applied migration's checksum is recorded, and an applied migration that changed stops start-up. */
class MigrationChecksumTest {

  private static final List<String> FILES = List.of("V1__users.sql", "V2__api_keys.sql",
      "V3__users_clerk_user_id_not_unique.sql", "V4__users_changed_notify.sql");

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @Test
  void everyAppliedMigrationHasTheChecksumOfItsFile() throws Exception {
    String url = TestDatabase.fresh(vertx, "checksums");

    await(Migrations.load().apply(vertx, config(url).database()));

    assertEquals(expectedChecksums(), recordedChecksums(url));
  }

  @Test
  void aDatabaseMigratedWithoutChecksumsGetsThemAtItsNextStart() throws Exception {
    String url = TestDatabase.fresh(vertx, "checksums");
    await(Migrations.load().apply(vertx, config(url).database()));
    try (Admin admin = Admin.connect(vertx, url)) {
      admin.query("ALTER TABLE schema_migrations DROP COLUMN checksum");
    }

    assertEquals(0, await(Migrations.load().apply(vertx, config(url).database())), "nothing is applied again");
    assertEquals(expectedChecksums(), recordedChecksums(url));
  }

  @Test
  void aChangedAppliedMigrationStopsStartUpNamingItsFile() {
    String url = TestDatabase.fresh(vertx, "checksums");
    await(Migrations.load().apply(vertx, config(url).database()));
    try (Admin admin = Admin.connect(vertx, url)) {
      admin.query("UPDATE schema_migrations SET checksum = 'the checksum of an older text' WHERE version = 2");
    }

    CompletionException failed = assertThrows(CompletionException.class,
        () -> await(Migrations.load().apply(vertx, config(url).database())));

    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, failed.getCause());
    assertTrue(cause.getMessage().startsWith("migration V2__api_keys.sql was changed after it was applied"),
        cause.getMessage());
  }

  @Test
  void lineEndingsDoNotChangeAChecksum() {
    assertEquals(Migrations.checksum("SELECT 1;\nSELECT 2;\n"), Migrations.checksum("SELECT 1;\r\nSELECT 2;\r\n"));
  }

  private static AppConfig config(String url) {
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", url);
    return TestConfig.config(env);
  }

  /** SHA-256 of V1..V4 as packaged, computed here without the runner. */
  private static List<String> expectedChecksums() throws Exception {
    List<String> checksums = new ArrayList<>();
    for (String file : FILES) {
      try (InputStream in = MigrationChecksumTest.class.getResourceAsStream("/db/migration/" + file)) {
        if (in == null) {
          throw new IOException("no " + file);
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        checksums.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8))));
      }
    }
    return checksums;
  }

  private static List<String> recordedChecksums(String url) {
    List<String> checksums = new ArrayList<>();
    try (Admin admin = Admin.connect(vertx, url)) {
      for (Row row : admin.query("SELECT checksum FROM schema_migrations WHERE version <= 4 ORDER BY version")) {
        checksums.add(row.getString(0));
      }
    }
    return checksums;
  }
}
