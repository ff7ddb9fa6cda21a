package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.me.UserSql;
import meservice.reliability.Traffic.Sample;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.QueryCountingProxy;
import meservice.support.ReplicatedPostgres;
import meservice.support.ReplicatedPostgres.Node;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code DATABASE_READ_URL}: GETs read from a streaming standby, see every PATCH acknowledged
 * before them, keep being answered through a failure of the primary, and fall back to the primary
 * when the standby is down or silent. Real PostgreSQL servers replicating by streaming.
 */
@ExtendWith(VertxExtension.class)
class StandbyReadsTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void getsReadFromTheStandbyAndSeeEveryPatchAcknowledgedBeforeThem(Vertx vertx) throws Exception {
    // The standby applies what it receives 300 ms late: a read there right after an acknowledged
    // write sees it only if the write was acknowledged once the standby had applied it.
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start("synchronous_standby_names=*")) {
      Node primary = cluster.primary();
      Node standby = cluster.standby(primary, "recovery_min_apply_delay=300ms");
      try (QueryCountingProxy reads = QueryCountingProxy.to(standby.url())) {
        App app = await(App.start(vertx, TestConfig.config(env(primary.url(), reads.url(standby.url())))));
        try {
          Api api = new Api(app.port());
          String user = Load.longSession(Tokens.newUserId());
          for (int i = 0; i < 8; i++) {
            String zone = Load.ZONES.get(i);
            assertEquals(200, api.patch(user, Load.timezoneBody(zone)).status());
            Response read = api.get(user);
            assertEquals(200, read.status());
            assertEquals(zone, read.data().getJsonObject("preferences").getString("timezone"),
                "a GET after an acknowledged PATCH reads that PATCH");
          }
          assertTrue(reads.executions(UserSql.FIND_USER) >= 8, "the reads were answered by the standby");
        } finally {
          await(app.stop());
        }
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void getsKeepSucceedingFromTheStandbyWhileThePrimaryIsDown(Vertx vertx) throws Exception {
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start()) {
      Node primary = cluster.primary();
      Node standby = cluster.standby(primary);
      App app = await(App.start(vertx, TestConfig.config(env(primary.url(), standby.url()))));
      Api api = new Api(app.port());
      try (Traffic traffic = Traffic.start(api, 4, Load::getOrPatchOwnUser)) {
        assertTrue(traffic.awaitEveryThread(System.nanoTime(), s -> s.status() == 200, 10_000), "load runs at all");

        primary.crash();
        long down = System.nanoTime();
        Thread.sleep(3_000);
        Response ready = api.send("GET", "/health/ready", Map.of(), null);
        traffic.close();

        List<Sample> during = traffic.startedAfter(down);
        long served = during.stream().filter(s -> s.status() == 200).count();
        System.out.printf("primary down: %d requests, %d answered 200 from the standby%n", during.size(), served);
        assertTrue(served > 0, "reads go on from the standby");
        assertEquals(List.of(), FailoverTest.firstFew(during.stream()
                .filter(s -> s.status() != 200 && !s.is503InTheEnvelope())),
            "writes are 503 UNAVAILABLE with Retry-After, reads 200; nothing else");
        assertEquals(200, ready.status(), "an instance that can answer reads stays in rotation");
      } finally {
        await(app.stop());
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void readsFallBackToThePrimaryWhenTheStandbyGoesSilent(Vertx vertx) throws Exception {
    try (ReplicatedPostgres cluster = ReplicatedPostgres.start()) {
      Node primary = cluster.primary();
      Node standby = cluster.standby(primary);
      try (SilentProxy toStandby = SilentProxy.start("127.0.0.1", standby.port)) {
        String readUrl = standby.url().replace(":" + standby.port + "/", ":" + toStandby.port() + "/");
        App app = await(App.start(vertx, TestConfig.config(env(primary.url(), readUrl))));
        Api api = new Api(app.port());
        try (Traffic traffic = Traffic.start(api, 4, Load::getOrPatchOwnUser)) {
          assertTrue(traffic.awaitEveryThread(System.nanoTime(), s -> s.status() == 200, 10_000), "load runs at all");

          toStandby.silence();
          long silenced = System.nanoTime();
          Thread.sleep(4_000);
          traffic.close();

          List<Sample> after = traffic.startedAfter(silenced);
          assertFalse(after.isEmpty());
          assertEquals(List.of(), FailoverTest.firstFew(after.stream().filter(s -> s.status() != 200)),
              "every read and write succeeds, the reads from the primary");
          assertTrue(after.stream().allMatch(s -> s.millis() < 3_000),
              "no read waits for the silent standby past its short wait");
        } finally {
          await(app.stop());
        }
      }
    }
  }

  private static Map<String, String> env(String databaseUrl, String readUrl) {
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", databaseUrl);
    env.put("DATABASE_READ_URL", readUrl);
    env.put("DB_POOL_SIZE", "4");
    // Every GET must read the database here: what is tested is where those reads go.
    env.put("USER_CACHE_SIZE", "0");
    return env;
  }
}
