package meservice.me;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import meservice.App;
import meservice.cli.UserCommand;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the database keeps: across restarts, under concurrent writers, and from the CLI. */
@ExtendWith(VertxExtension.class)
class PersistenceTest {

  @Test
  void preferencesAndUserIdSurviveARestartOfTheService(Vertx vertx) {
    String sub = Tokens.newUserId();
    App first = await(App.start(vertx, TestConfig.config()));
    JsonObject before = new Api(first.port()).patch(Tokens.session(sub), "{\"preferences\": {\"timezone\": \"Pacific/Auckland\"}}").data();
    await(first.stop());

    App second = await(App.start(vertx, TestConfig.config()));
    try {
      JsonObject after = new Api(second.port()).get(Tokens.session(sub)).data();

      assertEquals("Pacific/Auckland", after.getJsonObject("preferences").getString("timezone"));
      assertEquals(before.getString("user_id"), after.getString("user_id"));
    } finally {
      await(second.stop());
    }
  }

  @Test
  void concurrentPatchesOfDifferentUsersAreAllPersisted(Vertx vertx) throws Exception {
    App app = await(App.start(vertx, TestConfig.config()));
    Api api = new Api(app.port());
    String[] zones = {"Europe/Berlin", "Asia/Kolkata", "America/Chicago", "Australia/Sydney"};
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      users.add(Tokens.newUserId());
    }
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        String sub = users.get(i);
        String zone = zones[i % zones.length];
        statuses.add(CompletableFuture.supplyAsync(() -> api.patch(Tokens.session(sub),
            "{\"preferences\": {\"timezone\": \"" + zone + "\"}}").status(), clients));
      }
      for (CompletableFuture<Integer> status : statuses) {
        assertEquals(200, status.get());
      }

      for (int i = 0; i < users.size(); i++) {
        JsonObject me = api.get(Tokens.session(users.get(i))).data();
        assertEquals(zones[i % zones.length], me.getJsonObject("preferences").getString("timezone"), users.get(i));
      }
    } finally {
      clients.shutdownNow();
      await(app.stop());
    }
  }

  @Test
  void staffFlagSetByTheCliShowsInTheMePayload(Vertx vertx) {
    String sub = Tokens.newUserId();
    App app = await(App.start(vertx, TestConfig.config()));
    try {
      Api api = new Api(app.port());
      assertEquals(false, api.get(Tokens.session(sub)).data().getBoolean("is_staff"));

      // Another writer than this instance: shown once its announcement arrives (the cache's window).
      await(UserCommand.run(vertx, TestConfig.config(), new String[] {"user", "set-staff", sub, "true"}));
      assertTrue(isStaffWithin(api, sub, true, 1_000));

      await(UserCommand.run(vertx, TestConfig.config(), new String[] {"user", "set-staff", sub, "false"}));
      assertTrue(isStaffWithin(api, sub, false, 1_000));
    } finally {
      await(app.stop());
    }
  }

  @Test
  void staffFlagSurvivesAPreferencesPatch(Vertx vertx) {
    String sub = Tokens.newUserId();
    App app = await(App.start(vertx, TestConfig.config()));
    try {
      await(UserCommand.run(vertx, TestConfig.config(), new String[] {"user", "set-staff", sub, "true"}));

      JsonObject me = new Api(app.port()).patch(Tokens.session(sub), "{\"preferences\": {\"timezone\": \"UTC\"}}").data();

      assertEquals(true, me.getBoolean("is_staff"));
      assertEquals("UTC", me.getJsonObject("preferences").getString("timezone"));
    } finally {
      await(app.stop());
    }
  }

  private static boolean isStaffWithin(Api api, String sub, boolean staff, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (api.get(Tokens.session(sub)).data().getBoolean("is_staff") != staff) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(10_000_000);
    }
    return true;
  }
}
