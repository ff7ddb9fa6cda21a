package meservice.apikey;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Transaction;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Looking up presented API keys never takes a write-pool or GET connection: with every lookup
 * stuck (an operator holds an exclusive lock on api_keys) and many of them waiting, PATCHes and
 * GETs are served.
 */
@ExtendWith(VertxExtension.class)
class UnknownKeyIsolationTest {

  private static final int LOOKUPS = 12;
  private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void stuckKeyLookupsLeaveTheWritePoolToPatches(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("DB_POOL_SIZE", "2");
    env.put("DB_MAX_WAIT_QUEUE", "2");
    env.put("DB_CONNECT_TIMEOUT_MS", "1500");
    // The lookups stay stuck for as long as the test holds the lock; per-address limiting off,
    // so nothing but the pool separation stands between them and the writes.
    env.put("DB_STATEMENT_TIMEOUT_MS", "0");
    env.put("AUTH_FAILURES_PER_SECOND", "0");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    ExecutorService clients = Executors.newFixedThreadPool(LOOKUPS);
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      Transaction lock = await(admin.begin());
      admin.query("LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE");
      List<CompletableFuture<Response>> lookups = new ArrayList<>();
      for (int i = 0; i < LOOKUPS; i++) {
        String key = unknownApiKey();
        lookups.add(CompletableFuture.supplyAsync(() -> api.get(key), clients));
      }
      admin.awaitLockWaiters(1);

      String token = Tokens.session(Tokens.newUserId());
      for (String zone : List.of("Asia/Tokyo", "Europe/Oslo", "America/Lima")) {
        Response patch = api.patch(token, "{\"preferences\": {\"timezone\": \"" + zone + "\"}}");
        assertEquals(200, patch.status(), "PATCH while key lookups are stuck: " + patch.text());
      }
      Response get = api.get(token);
      assertEquals(200, get.status(), "GET while key lookups are stuck: " + get.text());
      assertEquals("America/Lima", get.data().getJsonObject("preferences").getString("timezone"));

      await(lock.rollback());
      // The stuck ones are refused once looked up; those past the lookup connection's wait queue
      // (2 here) were refused at once with 503.
      for (CompletableFuture<Response> lookup : lookups) {
        int status = lookup.get(20, TimeUnit.SECONDS).status();
        assertTrue(status == 401 || status == 503, "an unknown key answered " + status);
      }
    } finally {
      clients.shutdownNow();
      await(app.stop());
    }
  }

  private static String unknownApiKey() {
    StringBuilder key = new StringBuilder("mek_");
    for (int i = 0; i < 43; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return key.toString();
  }
}
