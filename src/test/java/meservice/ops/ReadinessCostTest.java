package meservice.ops;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import meservice.App;
import meservice.db.ChangeListener;
import meservice.db.Sql;
import meservice.support.Api;
import meservice.support.QueryCountingProxy;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness probes share one database ping a second however many arrive: a fleet of load
 * balancers (or one that probes too eagerly) cannot turn into a query per probe. Counted as the
 * database sees them, through a proxy that reads the protocol.
 */
@ExtendWith(VertxExtension.class)
class ReadinessCostTest {

  private static final int PROBERS = 32;
  private static final int PROBES_EACH = 10;

  @Test
  void parallelProbesCostAtMostOnePingPerSecond(Vertx vertx) throws Exception {
    try (QueryCountingProxy proxy = QueryCountingProxy.to(TestDatabase.url())) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", proxy.url(TestDatabase.url()));
      App app = await(App.start(vertx, TestConfig.config(env)));
      ExecutorService clients = Executors.newFixedThreadPool(PROBERS);
      try {
        Api api = new Api(app.port());
        long before = pings(proxy);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<Integer>>> probers = new ArrayList<>();
        for (int i = 0; i < PROBERS; i++) {
          probers.add(CompletableFuture.supplyAsync(() -> {
            awaitQuietly(go);
            List<Integer> statuses = new ArrayList<>();
            for (int j = 0; j < PROBES_EACH; j++) {
              statuses.add(api.send("GET", "/health/ready", Map.of(), null).status());
            }
            return statuses;
          }, clients));
        }
        long started = System.nanoTime();
        go.countDown();
        List<Integer> statuses = probers.stream().flatMap(p -> p.join().stream()).toList();
        double seconds = (System.nanoTime() - started) / 1e9;
        long pings = pings(proxy) - before;

        assertEquals(PROBERS * PROBES_EACH, statuses.stream().filter(s -> s == 200).count(), "every probe is ready");
        System.out.printf("%d readiness probes in %.2f s cost %d database pings%n", statuses.size(), seconds, pings);
        assertTrue(pings >= 1, "readiness still asks the database");
        assertTrue(pings <= Math.ceil(seconds) + 1, pings + " pings for " + statuses.size() + " probes in " + seconds + " s");
      } finally {
        clients.shutdownNow();
        await(app.stop());
      }
    }
  }

  /**
   * Pings sent, as simple queries or prepared executions. The revocation listener pings its own
   * connection; only the service's other pings count here.
   */
  private static long pings(QueryCountingProxy proxy) {
    return proxy.count(Sql.PING, ChangeListener.APPLICATION_NAME) + proxy.executions(Sql.PING);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
