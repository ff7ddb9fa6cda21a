package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.dev.DevDatabase;
import meservice.reliability.Traffic.Sample;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL stopped under load: every request answers a fast 503 in the envelope while it is
 * down, readiness says so, and the same process serves 200s again soon after it returns.
 * Its own PostgreSQL: stopping the shared one would break every other test.
 */
@ExtendWith(VertxExtension.class)
class DatabaseStoppedTest {

  private static final int CLIENTS = 8;
  private static final long MAX_REQUEST_MILLIS = 2_000;
  private static final long RECOVERY_MILLIS = 5_000;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void stoppedDatabaseGivesFast503sAndTheServiceRecoversWhenItReturns(Vertx vertx) throws Exception {
    Path data = Files.createTempDirectory("me-service-stopped");
    DevDatabase database = DevDatabase.start(data, true);
    int dbPort = database.port();
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", database.url());
    env.put("DB_POOL_SIZE", "4");
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    String witness = Load.longSession(Tokens.newUserId());
    try (Traffic traffic = Traffic.start(api, CLIENTS, Load::getOrPatchOwnUser)) {
      long healthy = System.nanoTime();
      assertTrue(traffic.awaitEveryThread(healthy, s -> s.status() == 200, 10_000), "load runs at all");

      assertEquals(200, api.patch(witness, Load.timezoneBody("Pacific/Auckland")).status());

      database.close();
      long stopped = System.nanoTime();
      assertTrue(traffic.awaitEveryThread(stopped, s -> s.status() == 503, 5_000), "every client sees the outage");
      Thread.sleep(1_000);
      Response ready = api.send("GET", "/health/ready", Map.of(), null);
      assertEquals(503, ready.status(), "readiness follows the database");
      assertEquals("UNAVAILABLE", ready.error().getString("code"));

      long outageEnd = System.nanoTime();
      database = DevDatabase.start(data, true, dbPort);
      long restarted = System.nanoTime();
      boolean recovered = traffic.awaitEveryThread(restarted, s -> s.status() == 200, RECOVERY_MILLIS);
      long recoveredAt = System.nanoTime();
      Thread.sleep(500);
      traffic.close();

      List<Sample> all = traffic.samples();
      List<Sample> down = traffic.startedAfter(stopped).stream().filter(s -> s.end() <= outageEnd).toList();
      List<Sample> after = traffic.startedAfter(recoveredAt);
      long slowest = all.stream().mapToLong(Sample::millis).max().orElseThrow();
      System.out.printf("database stopped under load: %d requests, %d while down, slowest %d ms, "
          + "recovered %d ms after the restart%n", all.size(), down.size(), slowest,
          TimeUnit.NANOSECONDS.toMillis(recoveredAt - restarted));

      assertTrue(recovered, "every client got a 200 within 5 s of the database returning");
      assertFalse(down.isEmpty());
      assertEquals(List.of(), down.stream().filter(s -> !s.is503InTheEnvelope()).toList(),
          "while the database is down every request is 503 UNAVAILABLE in the envelope with Retry-After");
      assertEquals(List.of(), all.stream().filter(s -> s.status() != 200 && !s.is503InTheEnvelope()).toList(),
          "never anything but 200 or 503 UNAVAILABLE");
      assertEquals(List.of(), all.stream().filter(s -> s.millis() >= MAX_REQUEST_MILLIS).toList(),
          "no request waits 2 s");
      assertFalse(after.isEmpty());
      assertEquals(List.of(), after.stream().filter(s -> s.status() != 200).toList(), "recovered for good");
      // Readiness shares one ping a second (ops/Health): an answer from the outage may serve for
      // up to a second more, and a ping sent into it for up to its 1 s timeout.
      assertEquals(200, readyWithin(api, 3_000), "ready again");
      assertEquals("Pacific/Auckland", api.get(witness).data().getJsonObject("preferences").getString("timezone"),
          "a write acknowledged before the stop is there after it");
    } finally {
      await(app.stop());
      database.close();
    }
  }

  /** The first readiness status that is 200, polling for at most {@code millis}; else the last one. */
  private static int readyWithin(Api api, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    int status;
    while ((status = api.send("GET", "/health/ready", Map.of(), null).status()) != 200 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return status;
  }
}
