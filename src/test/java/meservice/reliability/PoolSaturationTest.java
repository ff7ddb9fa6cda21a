package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.reliability.Traffic.Sample;
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
 * A saturated pool answers fast 503s from a bounded wait queue: with its one connection held, a
 * flood of requests gets 503 at once past the queue and after the connect timeout inside it;
 * nothing piles up, nothing is written, and the service serves again once the connection frees.
 */
@ExtendWith(VertxExtension.class)
class PoolSaturationTest {

  private static final int WAIT_QUEUE = 4;
  private static final int CONNECT_TIMEOUT_MILLIS = 1_500;
  private static final int FLOOD = 40;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFullPoolAnswersFast503sAndNoMoreThanTheQueueWaits(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("DB_POOL_SIZE", "1");
    env.put("DB_MAX_WAIT_QUEUE", Integer.toString(WAIT_QUEUE));
    env.put("DB_CONNECT_TIMEOUT_MS", Integer.toString(CONNECT_TIMEOUT_MILLIS));
    // The held PATCH waits for as long as the test holds the row lock.
    env.put("DB_STATEMENT_TIMEOUT_MS", "0");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    ExecutorService clients = Executors.newFixedThreadPool(FLOOD + 1);
    String holder = Tokens.newUserId();
    String holderToken = Load.longSession(holder);
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      assertEquals(200, api.patch(holderToken, Load.timezoneBody("UTC")).status());
      Transaction lock = admin.lockUser(holder);
      CompletableFuture<Response> held = CompletableFuture.supplyAsync(
          () -> api.patch(holderToken, Load.timezoneBody("Asia/Seoul")), clients);
      admin.awaitLockWaiters(1);

      List<String> flooders = new ArrayList<>();
      List<CompletableFuture<Sample>> flood = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < FLOOD; i++) {
        String sub = Tokens.newUserId();
        flooders.add(sub);
        String token = Load.longSession(sub);
        flood.add(CompletableFuture.supplyAsync(() -> {
          awaitQuietly(go);
          long start = System.nanoTime();
          return sample(start, api.patch(token, Load.timezoneBody("Europe/Oslo")));
        }, clients));
      }
      go.countDown();
      List<Sample> answers = flood.stream().map(CompletableFuture::join).toList();
      assertEquals(200, api.get(Load.longSession(Tokens.newUserId())).status(),
          "reads have their own pipelined client: a saturated write pool does not stop them");
      await(lock.rollback());

      // A queued request cannot answer before the connect timeout; a refused one has no reason to wait.
      long fast = answers.stream().filter(s -> s.millis() < CONNECT_TIMEOUT_MILLIS).count();
      long slowest = answers.stream().mapToLong(Sample::millis).max().orElseThrow();
      System.out.printf("saturated pool (1 connection, queue %d, connect timeout %d ms): %d requests, "
          + "%d answered before the connect timeout, slowest %d ms%n", WAIT_QUEUE, CONNECT_TIMEOUT_MILLIS, FLOOD,
          fast, slowest);

      assertEquals(List.of(), answers.stream().filter(s -> !s.is503InTheEnvelope()).toList(),
          "every request of the flood is 503 UNAVAILABLE in the envelope with Retry-After");
      assertTrue(fast >= FLOOD - WAIT_QUEUE, "only the queue waits; the rest are refused at once: " + answers);
      assertTrue(slowest < 2_000, "no request waits 2 s: " + slowest + " ms");
      for (String sub : flooders) {
        assertNull(admin.user(sub), "a refused PATCH writes nothing");
      }

      assertEquals(200, held.get(10, TimeUnit.SECONDS).status(), "the request that held the connection completes");
      assertEquals("Asia/Seoul", admin.user(holder).getString("timezone"));
      assertEquals(200, api.get(Load.longSession(Tokens.newUserId())).status(), "serves again");
    } finally {
      clients.shutdownNow();
      await(app.stop());
    }
  }

  private static Sample sample(long start, Response response) {
    boolean envelope = response.status() >= 400;
    return new Sample(0, start, System.nanoTime(), response.status(),
        envelope ? response.error().getString("code") : null, response.header("Retry-After"),
        response.header("X-Request-Id"), envelope ? response.error().getString("request_id") : null);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
