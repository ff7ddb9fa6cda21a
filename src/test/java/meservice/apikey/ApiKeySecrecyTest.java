package meservice.apikey;

import static meservice.support.Futures.await;
import static meservice.support.Revocations.assertRefusedWithinOneSecond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import meservice.App;
import meservice.support.Api;
import meservice.support.ApiKeyCli;
import meservice.support.ApiKeyCli.Created;
import meservice.support.CapturedLogs;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The secret of a key is printed once by {@code apikey create} and is nowhere else. */
@ExtendWith(VertxExtension.class)
class ApiKeySecrecyTest {

  @Test
  void theSecretIsInNoTableAndNoLogLine(Vertx vertx) throws InterruptedException {
    Created key;
    List<ILoggingEvent> logged;
    // Debug lines too: a secret must not hide in a line nobody reads in production either.
    try (CapturedLogs logs = CapturedLogs.of(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.DEBUG)) {
      Map<String, String> env = TestConfig.env();
      env.put("API_KEY_LAST_USED_FLUSH_SECONDS", "1");
      App app = await(App.start(vertx, TestConfig.config(env)));
      String orgId = ApiKeyCli.newOrgId();
      try {
        Api api = new Api(app.port());
        key = ApiKeyCli.create(vertx, orgId, "--name", "secrecy", "--scopes", "me:read");
        // Every path a key takes: accepted, refused on PATCH, listed, flushed, revoked, refused.
        assertEquals(200, api.get(key.key()).status());
        assertEquals(403, api.patch(key.key(), "{\"preferences\": {\"timezone\": \"UTC\"}}").status());
        assertEquals(401, api.get(key.key() + "x").status());
        await("the key's last use is written", Duration.ofSeconds(10), () -> lastUseWritten(app, key));
        String list = ApiKeyCli.run(vertx, "list", "--org", orgId);
        ApiKeyCli.revoke(vertx, key.id());
        assertRefusedWithinOneSecond(key.key(), api);

        assertFalse(list.contains(secretPart(key)), "apikey list printed the secret");
        for (String row : everyRowOfEveryTable(app)) {
          assertFalse(row.contains(secretPart(key)), "the secret is stored: " + row);
        }
        assertTrue(everyRowOfEveryTable(app).stream().anyMatch(row -> row.contains(key.id())),
            "the scan saw the api_keys row");
      } finally {
        await(app.stop());
      }
      logged = logs.events();
    }

    assertTrue(logged.size() > 0, "log lines were captured");
    for (ILoggingEvent event : logged) {
      String line = everythingIn(event);
      assertFalse(line.contains(secretPart(key)), "the secret is logged: " + line);
    }
  }

  /** The key less the part that {@code apikey list} shows on purpose. */
  private static String secretPart(Created key) {
    return key.key().substring(ApiKeySecret.DISPLAY_CHARS);
  }

  private static boolean lastUseWritten(App app, Created key) {
    return await(app.pool().preparedQuery("SELECT last_used_at IS NOT NULL FROM api_keys WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(key.id())))).iterator().next().getBoolean(0);
  }

  /** Each row of each table in the schema, as PostgreSQL renders the whole row as text. */
  private static List<String> everyRowOfEveryTable(App app) {
    List<String> rows = new ArrayList<>();
    for (Row table : await(app.pool().query(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
            + "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'").execute())) {
      for (Row row : await(app.pool().query("SELECT t::text FROM " + table.getString(0) + " t").execute())) {
        rows.add(table.getString(0) + ": " + row.getString(0));
      }
    }
    return rows;
  }

  private static String everythingIn(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getFormattedMessage());
    if (event.getKeyValuePairs() != null) {
      line.append(' ').append(event.getKeyValuePairs());
    }
    if (event.getArgumentArray() != null) {
      for (Object argument : event.getArgumentArray()) {
        line.append(' ').append(argument);
      }
    }
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      line.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return line.toString();
  }
}
