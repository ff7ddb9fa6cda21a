package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.reliability.Traffic.Sample;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections killed with pg_terminate_backend cost at most the requests that were on them: the
 * pool drops the dead connections and opens new ones, and every later request succeeds.
 * The service gets a database of its own on the shared server, so only its backends are killed.
 */
@ExtendWith(VertxExtension.class)
class TerminatedConnectionsTest {

  private static final int CLIENTS = 8;
  private static final int POOL_SIZE = 4;
  private static final int ROUNDS = 3;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void killedConnectionsCostOnlyTheirInFlightRequests(Vertx vertx) throws Exception {
    String url = TestDatabase.fresh(vertx, "terminate");
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", url);
    env.put("DB_POOL_SIZE", Integer.toString(POOL_SIZE));
    // Every request on a connection, reads included: what is measured is what a killed one costs.
    env.put("USER_CACHE_SIZE", "0");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    long killed = 0;
    try (Admin admin = Admin.connect(vertx, url); Traffic traffic = Traffic.start(api, CLIENTS, Load::getOrPatchOwnUser)) {
      long start = System.nanoTime();
      assertTrue(traffic.awaitEveryThread(start, s -> s.status() == 200, 10_000), "load runs at all");

      List<Long> kills = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        long kill = System.nanoTime();
        // The pool's connections only: not the revocation listener's, not this one.
        long now = admin.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            + "AND application_name = 'vertx-pg-client'").iterator().next().getLong(0);
        assertTrue(now >= 1, "the pool had connections to kill");
        killed += now;
        kills.add(kill);
        assertTrue(traffic.awaitEveryThread(System.nanoTime(), s -> s.status() == 200, 5_000),
            "every client is served again right after the kill");
      }
      long recovered = System.nanoTime();
      Thread.sleep(500);
      traffic.close();

      List<Sample> all = traffic.samples();
      List<Sample> failed = all.stream().filter(s -> s.status() != 200).toList();
      List<Sample> after = traffic.startedAfter(recovered);
      System.out.printf("pg_terminate_backend: %d connections killed in %d rounds under %d requests; "
          + "%d requests failed, all within %d ms of a kill%n", killed, ROUNDS, all.size(), failed.size(),
          failed.stream().mapToLong(s -> kills.stream().filter(k -> k <= s.end()).mapToLong(k -> s.end() - k)
              .min().orElse(0)).max().orElse(0) / 1_000_000);

      // The pool is not pipelined: a killed connection fails the command it was running, and the
      // ones handed to it in the instant before the pool saw it close. Nothing fails later.
      assertEquals(List.of(), failed.stream().filter(s -> kills.stream().noneMatch(
          kill -> s.end() >= kill && s.start() <= kill + TimeUnit.SECONDS.toNanos(1))).toList(),
          "every failure is a request in flight at a kill or within a second of it");
      assertEquals(List.of(), failed.stream().filter(s -> !s.is503InTheEnvelope()).toList(),
          "a request whose connection died is 503 UNAVAILABLE, never a 500 or a reset");
      assertFalse(after.isEmpty());
      assertEquals(List.of(), after.stream().filter(s -> s.status() != 200).toList(), "all later requests succeed");
    } finally {
      await(app.stop());
    }
  }
}
