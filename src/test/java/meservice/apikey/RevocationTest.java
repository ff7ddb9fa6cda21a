package meservice.apikey;

import static meservice.support.Futures.await;
import static meservice.support.Revocations.assertRefusedWithinOneSecond;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import meservice.db.ChangeListener;
import java.util.UUID;
import meservice.App;
import meservice.support.Api;
import meservice.support.ApiKeyCli;
import meservice.support.ApiKeyCli.Created;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cache and its revocation channel: hot keys are answered from memory, yet a key revoked
 * through the CLI is refused by every running instance within one second, also when the
 * instance's listening connection was cut and the announcement lost.
 */
@ExtendWith(VertxExtension.class)
class RevocationTest {

  @Test
  void aHotKeyIsAnsweredFromMemory(Vertx vertx) throws InterruptedException {
    App app = await(App.start(vertx, TestConfig.config()));
    try {
      Api api = new Api(app.port());
      Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
      warm(api, key);

      // Gone from the database without an announcement: only the cache can still know it.
      await(app.pool().preparedQuery("DELETE FROM api_keys WHERE id = $1").execute(Tuple.of(UUID.fromString(key.id()))));

      assertEquals(200, api.get(key.key()).status());
    } finally {
      await(app.stop());
    }
  }

  @Test
  void aKeyRevokedThroughTheCliIsRefusedByTwoInstancesWithinOneSecond(Vertx vertx) throws InterruptedException {
    App first = await(App.start(vertx, TestConfig.config()));
    App second = await(App.start(vertx, TestConfig.config()));
    try {
      Api one = new Api(first.port());
      Api two = new Api(second.port());
      Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
      warm(one, key);
      warm(two, key);

      ApiKeyCli.revoke(vertx, key.id());

      assertRefusedWithinOneSecond(key.key(), one, two);
    } finally {
      await(first.stop());
      await(second.stop());
    }
  }

  @Test
  void aRevocationMissedWhileTheListenerReconnectsIsStillEnforcedWithinOneSecond(Vertx vertx)
      throws InterruptedException {
    App app = await(App.start(vertx, TestConfig.config()));
    try {
      Api api = new Api(app.port());
      Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
      warm(api, key);

      cutListenerConnections(app);
      ApiKeyCli.revoke(vertx, key.id());

      assertRefusedWithinOneSecond(key.key(), api);

      // The listener is back: a new key is cached again and its revocation is heard.
      Created next = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
      warm(api, next);
      ApiKeyCli.revoke(vertx, next.id());
      assertRefusedWithinOneSecond(next.key(), api);
    } finally {
      await(app.stop());
    }
  }

  /** Uses the key for a while, so that it is in the cache of the instance behind {@code api}. */
  private static void warm(Api api, Created key) throws InterruptedException {
    long until = System.nanoTime() + 500_000_000L;
    while (System.nanoTime() < until) {
      assertEquals(200, api.get(key.key()).status());
      Thread.sleep(50);
    }
  }

  private static void cutListenerConnections(App app) {
    int cut = await(app.pool()
        .preparedQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1")
        .execute(Tuple.of(ChangeListener.APPLICATION_NAME))).iterator().next().getInteger(0);
    assertEquals(1, cut, "listening connections cut");
  }
}
