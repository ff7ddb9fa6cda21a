package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import meservice.App;
import meservice.db.ChangeListener;
import meservice.config.AppConfig;
import meservice.reliability.Traffic.Sample;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.ApiKeyCli;
import meservice.support.ApiKeyCli.Created;
import meservice.support.MovingProxy;
import meservice.support.ReplicatedPostgres;
import meservice.support.ReplicatedPostgres.Node;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A switchover of a replicated PostgreSQL as an operator meets it, under load: the primary stops
 * (fast shutdown), its streaming standby is promoted, the old primary comes back as a standby of
 * the new one (read-only), and for a few seconds the address the service connects to still
 * reaches the old server (a cached DNS answer, a virtual IP that moves late) before it reaches the
 * new primary. Two real PostgreSQL servers; the moving address is a TCP proxy.
 */
@ExtendWith(VertxExtension.class)
class FailoverTest {

  private static final int CLIENTS = 4;
  /** How long the address still reaches the old primary, now a standby. */
  private static final long STALE_ADDRESS_MILLIS = 3_000;
  /** Once the new primary is reachable, every write succeeds within this. */
  private static final long WRITES_BACK_MILLIS = 5_000;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aSwitchoverNeverAnswers500AndWritesSucceedOnceTheNewPrimaryIsReachable(Vertx vertx) throws Exception {
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start();
        MovingProxy address = MovingProxy.to(cluster.primary().port)) {
      Node first = cluster.primary();
      Node second = cluster.standby(first);
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", address.url(first.url()));
      env.put("DB_POOL_SIZE", "4");
      App app = await(App.start(vertx, TestConfig.config(env)));
      Api api = new Api(app.port());
      try (Traffic traffic = Traffic.start(api, CLIENTS, Load::getOrPatchOwnUser)) {
        assertTrue(traffic.awaitEveryThread(System.nanoTime(), s -> s.status() == 200, 10_000), "load runs at all");

        first.stop();
        second.promote();
        first.rejoinAsStandbyOf(second);
        int toOldPrimary = address.connectionsTo(first.port);
        Thread.sleep(STALE_ADDRESS_MILLIS);
        assertTrue(address.connectionsTo(first.port) > toOldPrimary,
            "the service reached the old primary while it was a standby");
        address.moveTo(second.port);
        long moved = System.nanoTime();
        assertTrue(traffic.awaitEveryThread(moved, s -> s.status() == 200, WRITES_BACK_MILLIS), "writes come back");
        long settled = moved + TimeUnit.MILLISECONDS.toNanos(WRITES_BACK_MILLIS);
        while (System.nanoTime() < settled + TimeUnit.SECONDS.toNanos(2)) {
          Thread.sleep(100);
        }
        traffic.close();

        List<Sample> all = traffic.samples();
        List<Sample> afterwards = traffic.startedAfter(settled);
        System.out.printf("switchover under load: %d requests, %d answered 503, %d after the address moved%n",
            all.size(), all.stream().filter(s -> s.status() == 503).count(), traffic.startedAfter(moved).size());
        assertEquals(List.of(), firstFew(all.stream().filter(s -> s.status() != 200 && !s.is503InTheEnvelope())),
            "never a 500, a hang or a reset: 200, or 503 UNAVAILABLE in the envelope with Retry-After");
        assertFalse(afterwards.isEmpty());
        assertEquals(List.of(), firstFew(afterwards.stream().filter(s -> s.status() != 200)),
            "every GET and PATCH succeeds from " + WRITES_BACK_MILLIS + " ms after the new primary is reachable");
      } finally {
        await(app.stop());
      }
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theRevocationListenerFollowsTheNewPrimary(Vertx vertx) throws Exception {
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start();
        MovingProxy address = MovingProxy.to(cluster.primary().port)) {
      Node first = cluster.primary();
      Node second = cluster.standby(first);
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", address.url(first.url()));
      App app = await(App.start(vertx, TestConfig.config(env)));
      Map<String, String> direct = new HashMap<>(env);
      direct.put("DATABASE_URL", second.url());
      AppConfig onNewPrimary = TestConfig.config(direct);
      try {
        Api api = new Api(app.port());
        Created before = ApiKeyCli.create(vertx, TestConfig.config(env), ApiKeyCli.newOrgId());
        warm(api, before);

        first.stop();
        second.promote();
        first.rejoinAsStandbyOf(second);
        Thread.sleep(STALE_ADDRESS_MILLIS);
        address.moveTo(second.port);

        // Revoked on the new primary while the listener may still be finding it: refused in time.
        ApiKeyCli.revoke(vertx, onNewPrimary, before.id());
        assertRefusedWithinOneSecond(api, before);

        assertTrue(listensOn(vertx, second, 5_000), "the listener listens on the new primary");
        Created after = ApiKeyCli.create(vertx, onNewPrimary, ApiKeyCli.newOrgId());
        warm(api, after);
        ApiKeyCli.revoke(vertx, onNewPrimary, after.id());
        assertRefusedWithinOneSecond(api, after);
      } finally {
        await(app.stop());
      }
    }
  }

  /** Enough of a failure list to read: a broken build fails every request, thousands of them. */
  static List<Sample> firstFew(Stream<Sample> samples) {
    return samples.limit(10).toList();
  }

  private static boolean listensOn(Vertx vertx, Node node, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    try (Admin admin = Admin.connect(vertx, node.url())) {
      while (System.nanoTime() < deadline) {
        long listening = admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
            + ChangeListener.APPLICATION_NAME + "'").iterator().next().getLong(0);
        if (listening == 1) {
          return true;
        }
        Thread.sleep(100);
      }
    }
    return false;
  }

  private static void warm(Api api, Created key) throws InterruptedException {
    long until = System.nanoTime() + 500_000_000L;
    while (System.nanoTime() < until) {
      assertEquals(200, api.get(key.key()).status());
      Thread.sleep(50);
    }
  }

  private static void assertRefusedWithinOneSecond(Api api, Created key) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    int status;
    while ((status = api.get(key.key()).status()) != 401 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(401, status, "a key revoked on the new primary is refused within 1 s");
  }
}
