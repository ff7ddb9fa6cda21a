package meservice.me;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.db.ChangeListener;
import meservice.db.Database;
import meservice.identity.Ids;
import meservice.support.Admin;
import meservice.support.Api.Response;
import meservice.support.Api;
import meservice.support.QueryCountingProxy;
import meservice.support.ReplicatedPostgres.Node;
import meservice.support.ReplicatedPostgres;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The user cache against the real database and real notifications: GETs answered from memory,
 * and every way a row changes reaches every instance.
 */
@ExtendWith(VertxExtension.class)
class UserCacheNotificationsTest {

  /** How long another instance may serve the previous row after a change was acknowledged. */
  private static final long WINDOW_MILLIS = 1_000;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void getsOfACachedUserCostNoStatementAndAPatchHereIsReadBackAtOnce(Vertx vertx) throws Exception {
    try (QueryCountingProxy proxy = QueryCountingProxy.to(TestDatabase.url())) {
      App app = start(vertx, proxy.url(TestDatabase.url()), null);
      try {
        Api api = new Api(app.port());
        String user = Tokens.session(Tokens.newUserId());
        assertEquals(200, api.get(user).status());
        long reads = reads(proxy);
        for (int i = 0; i < 50; i++) {
          assertEquals(200, api.get(user).status());
        }
        assertEquals(reads, reads(proxy), "50 GETs of a cached user read nothing");

        assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"Asia/Seoul\"}}").status());
        Response read = api.get(user);
        assertEquals("Asia/Seoul", read.data().getJsonObject("preferences").getString("timezone"),
            "this instance reads its own write at once");
        assertEquals(reads, reads(proxy), "from the row the PATCH returned");
      } finally {
        await(app.stop());
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPatchOnOneInstanceIsServedByAnotherWithinASecond(Vertx vertx) throws Exception {
    App one = start(vertx, TestDatabase.url(), null);
    App two = start(vertx, TestDatabase.url(), null);
    try {
      Api first = new Api(one.port());
      Api second = new Api(two.port());
      String user = Tokens.session(Tokens.newUserId());
      String previous = null;
      for (String zone : new String[] {"Europe/Oslo", "Asia/Seoul", "America/New_York"}) {
        assertEquals(previous, zone(second, user, null), "held by the second instance");
        long acknowledged = System.nanoTime();
        assertEquals(200, first.patch(user, "{\"preferences\":{\"timezone\":\"" + zone + "\"}}").status());
        assertTrue(servesWithin(second, user, zone, WINDOW_MILLIS), "the second instance serves " + zone);
        System.out.printf("a PATCH on one instance served by the other after %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acknowledged));
        previous = zone;
      }
    } finally {
      await(one.stop());
      await(two.stop());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPatchIsAnnouncedOnceWithItsVersionAfterItsCommitNotInsideIt(Vertx vertx) throws Exception {
    App app = start(vertx, TestDatabase.url(), null);
    PgConnection listener = await(PgConnection.connect(vertx, Database.connectOptions(TestDatabase.url())));
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      List<String> heard = new CopyOnWriteArrayList<>();
      listener.notificationHandler(n -> heard.add(n.getPayload()));
      await(listener.query("LISTEN " + UserSql.USER_CHANGED_CHANNEL).execute());
      Api api = new Api(app.port());
      String sub = Tokens.newUserId();
      String user = Tokens.session(sub);
      assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
      Response second = api.patch(user, "{\"preferences\":{\"timezone\":\"Asia/Seoul\"}}");
      assertEquals(200, second.status());

      // The service's write statement alone, as the PATCH sends it: its transaction announces nothing.
      admin.query(UserSql.PATCH_PREFERENCES, Ids.userId(sub), sub, new JsonObject().put("timezone", "UTC"),
          new String[0], null);

      // Notifications arrive in commit order: once a later writer's is heard, the earlier ones are in.
      String marker = Tokens.newUserId();
      admin.query("INSERT INTO users (id, clerk_user_id) VALUES ($1, $2)", Ids.userId(marker), marker);
      String markerPayload = Ids.userId(marker) + ":1";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!heard.contains(markerPayload) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(heard.contains(markerPayload), "the trigger still announces other writers: " + heard);
      String id = Ids.userId(sub).toString();
      assertEquals(List.of(id + ":1", id + ":2"), heard.stream().filter(p -> p.startsWith(id)).toList(),
          "each PATCH announced once, by the service after its commit; the trigger silent inside it");
    } finally {
      await(listener.close());
      await(app.stop());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChangeMadeOutsideTheServiceIsAnnouncedByTheTrigger(Vertx vertx) throws Exception {
    App app = start(vertx, TestDatabase.url(), null);
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      Api api = new Api(app.port());
      String sub = Tokens.newUserId();
      String user = Tokens.session(sub);
      assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
      String before = api.get(user).headers().firstValue("ETag").orElseThrow();

      // A hand edit that does not touch the version: the trigger raises it and announces it.
      admin.query("UPDATE users SET preferences = '{\"timezone\": \"Africa/Nairobi\"}' WHERE id = $1", Ids.userId(sub));
      assertTrue(servesWithin(api, user, "Africa/Nairobi", WINDOW_MILLIS));
      String after = api.get(user).headers().firstValue("ETag").orElseThrow();
      assertTrue(!after.equals(before), "a changed representation has a new ETag: " + before + " then " + after);

      admin.query("DELETE FROM users WHERE id = $1", Ids.userId(sub));
      assertTrue(servesWithin(api, user, null, WINDOW_MILLIS), "a deleted row reads as never written");
    } finally {
      await(app.stop());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChangeAnnouncedWhileTheListenerWasCutIsServedOnceItListensAgain(Vertx vertx) throws Exception {
    App app = start(vertx, TestDatabase.url(), null);
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      Api api = new Api(app.port());
      String sub = Tokens.newUserId();
      String user = Tokens.session(sub);
      assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
      assertEquals("UTC", zone(api, user, null));

      assertEquals(1, admin.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
          + "WHERE application_name = $1", ChangeListener.APPLICATION_NAME).iterator().next().getLong(0));
      // Announced while nobody listens: lost.
      admin.query("UPDATE users SET preferences = '{\"timezone\": \"Asia/Kolkata\"}' WHERE id = $1", Ids.userId(sub));
      assertTrue(servesWithin(api, user, "Asia/Kolkata", WINDOW_MILLIS),
          "the change is served within a second of the cut, though its announcement was lost");

      // Listening again: the next change is heard.
      Thread.sleep(1_500);
      admin.query("UPDATE users SET preferences = '{\"timezone\": \"Europe/Lisbon\"}' WHERE id = $1", Ids.userId(sub));
      assertTrue(servesWithin(api, user, "Europe/Lisbon", WINDOW_MILLIS));
    } finally {
      await(app.stop());
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aLaggingStandbysOlderRowIsNeverInstalledOverAnAnnouncedChange(Vertx vertx) throws Exception {
    // An asynchronous standby that applies WAL a second late: the announcement of a change reaches
    // the instance long before the standby has the changed row.
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start()) {
      Node primary = cluster.primary();
      Node standby = cluster.standby(primary, "recovery_min_apply_delay=1s");
      App app = start(vertx, primary.url(), standby.url());
      try (Admin admin = Admin.connect(vertx, primary.url())) {
        Api api = new Api(app.port());
        String sub = Tokens.newUserId();
        String user = Tokens.session(sub);
        assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
        assertEquals("UTC", zone(api, user, null), "held from the PATCH's own row");

        admin.query("UPDATE users SET preferences = '{\"timezone\": \"Asia/Seoul\"}' WHERE id = $1", Ids.userId(sub));
        // Within the standby's lag, reads there still find the old row: answered, never held.
        Thread.sleep(200);
        api.get(user);
        Thread.sleep(1_500);
        assertEquals("Asia/Seoul", zone(api, user, null),
            "once the standby has the change, the old row it served is not what the cache holds");
      } finally {
        await(app.stop());
      }
    }
  }

  private static App start(Vertx vertx, String databaseUrl, String readUrl) {
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", databaseUrl);
    if (readUrl != null) {
      env.put("DATABASE_READ_URL", readUrl);
    }
    return await(App.start(vertx, TestConfig.config(env)));
  }

  private static long reads(QueryCountingProxy proxy) {
    return proxy.executions(UserSql.FIND_USER) + proxy.executions(UserSql.FIND_USERS);
  }

  /** The timezone a GET answers ({@code null}: never set), or {@code fallback} when it has none. */
  private static String zone(Api api, String token, String fallback) {
    Response response = api.get(token);
    assertEquals(200, response.status(), response.text());
    String zone = response.data().getJsonObject("preferences").getString("timezone");
    return zone == null ? fallback : zone;
  }

  private static boolean servesWithin(Api api, String token, String zone, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      String served = zone(api, token, null);
      if (zone == null ? served == null : zone.equals(served)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
  }
}
