package meservice.ops;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import meservice.App;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM's sequence (App.stop): readiness 503, stop accepting, finish what is in flight, close
 * the pool. Requests are held in flight by a row lock taken from a separate connection, so the
 * PATCHes wait inside PostgreSQL until the test lets them go.
 */
@ExtendWith(VertxExtension.class)
class ShutdownTest {

  private static final int IN_FLIGHT = 6;

  @Test
  void shutdownFinishesEveryInFlightRequestAndRefusesNewConnections(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("SHUTDOWN_DELAY_SECONDS", "2");
    env.put("SHUTDOWN_GRACE_SECONDS", "30");
    // The in-flight requests wait on a row lock for as long as the test holds it.
    env.put("DB_STATEMENT_TIMEOUT_MS", "0");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    String sub = Tokens.newUserId();
    api.patch(Tokens.session(sub), "{\"preferences\": {\"timezone\": \"UTC\"}}");

    Admin admin = Admin.connect(vertx, TestDatabase.url());
    Transaction lock = admin.lockUser(sub);
    ExecutorService clients = Executors.newFixedThreadPool(IN_FLIGHT);
    try {
      List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
      for (int i = 0; i < IN_FLIGHT; i++) {
        String zone = i % 2 == 0 ? "Europe/Oslo" : "Asia/Seoul";
        inFlight.add(CompletableFuture.supplyAsync(() -> api.patch(Tokens.session(sub),
            "{\"preferences\": {\"timezone\": \"" + zone + "\"}}").status(), clients));
      }
      admin.awaitLockWaiters(IN_FLIGHT);

      Future<Void> stopping = app.stop();
      assertEquals(503, api.send("GET", "/health/ready", Map.of(), null).status(), "readiness flips first");
      awaitRefused(app.port());
      assertFalse(stopping.isComplete(), "waits for the in-flight requests");

      await(lock.commit());
      for (CompletableFuture<Integer> status : inFlight) {
        assertEquals(200, status.get(), "every in-flight request completes");
      }
      await(stopping);
      assertTrue(stopping.succeeded());
    } finally {
      clients.shutdownNow();
      admin.close();
    }
  }

  @Test
  void theGracePeriodBoundsTheWaitForRequestsThatDoNotFinish(Vertx vertx) throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("SHUTDOWN_GRACE_SECONDS", "1");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    String sub = Tokens.newUserId();
    api.patch(Tokens.session(sub), "{\"preferences\": {\"timezone\": \"UTC\"}}");

    Admin admin = Admin.connect(vertx, TestDatabase.url());
    Transaction lock = admin.lockUser(sub);
    try {
      CompletableFuture<Integer> stuck = CompletableFuture.supplyAsync(() -> api.patch(Tokens.session(sub),
          "{\"preferences\": {\"timezone\": \"Europe/Oslo\"}}").status());
      admin.awaitLockWaiters(1);

      await(app.stop());

      Exception cut = assertThrows(Exception.class, stuck::get);
      assertTrue(cut.getCause() instanceof UncheckedIOException, cut.toString());
    } finally {
      lock.rollback();
      admin.close();
    }
  }

  private static void awaitRefused(int port) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        Thread.sleep(50);
      } catch (ConnectException refused) {
        return;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new AssertionError("the server still accepts connections");
  }
}
