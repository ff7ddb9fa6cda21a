package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.support.Api.Response;
import meservice.support.Admin;
import meservice.support.RunningService;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A statement that runs past DB_STATEMENT_TIMEOUT_MS is cancelled by the server: 503, nothing written. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatementTimeoutTest {

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> env.put("DB_STATEMENT_TIMEOUT_MS", "500"));

  @Test
  void aPatchStuckBehindARowLockIsCut503AndWritesNothing(Vertx vertx) {
    String sub = Tokens.newUserId();
    String token = Tokens.session(sub);
    assertEquals(200, service.api().patch(token, Load.timezoneBody("UTC")).status());
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      Row before = admin.user(sub);
      Transaction lock = admin.lockUser(sub);

      long start = System.nanoTime();
      Response cut = service.api().patch(token, Load.timezoneBody("Europe/Oslo"));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      await(lock.rollback());
      System.out.printf("statement timeout 500 ms: PATCH behind a row lock answered %d in %d ms%n",
          cut.status(), millis);

      assertEquals(503, cut.status());
      assertEquals("UNAVAILABLE", cut.error().getString("code"));
      assertNotNull(cut.header("Retry-After"));
      assertTrue(millis >= 450, "cut by the timeout, not before: " + millis + " ms");
      assertTrue(millis < 2_000, "cut near the 500 ms timeout: " + millis + " ms");
      Row after = admin.user(sub);
      assertEquals("UTC", after.getString("timezone"), "nothing written");
      assertEquals(before.getLong("version"), after.getLong("version"), "nothing written");

      Response next = service.api().patch(token, Load.timezoneBody("Europe/Oslo"));
      assertEquals(200, next.status(), "the lock released, the next PATCH goes through");
      assertEquals("Europe/Oslo", admin.user(sub).getString("timezone"));
    }
  }

  @Test
  void everyPoolConnectionRunsWithTheTimeout() {
    // Several at once, so the pool opens several connections.
    List<Future<String>> shown = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      shown.add(service.app().pool().query("SHOW statement_timeout").execute().map(rows -> rows.iterator().next().getString(0)));
    }
    for (Future<String> value : shown) {
      assertEquals("500ms", await(value));
    }
  }

  @Test
  void migrationsAreNotCutByIt(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("DB_STATEMENT_TIMEOUT_MS", "200");
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      // Another instance migrating: it holds the migration lock (Sql.MIGRATIONS_LOCK) for a while.
      Transaction migrating = await(admin.begin());
      admin.query("SELECT pg_advisory_xact_lock(7283940112)");
      Future<App> starting = App.start(vertx, TestConfig.config(env));
      admin.awaitLockWaiters(1);
      Thread.sleep(500);
      await(migrating.commit());

      App second = await(starting);
      await(second.stop());
    }
  }
}
