package meservice.ops;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntPredicate;
import meservice.App;
import meservice.cli.HealthCheckCommand;
import meservice.dev.DevDatabase;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The probes: liveness never needs the database, readiness follows it, neither needs a credential. */
@ExtendWith(VertxExtension.class)
class HealthTest {

  @Test
  void livenessAndReadinessAnswerAnyoneInTheEnvelope(Vertx vertx) {
    App app = await(App.start(vertx, TestConfig.config()));
    try {
      Api api = new Api(app.port());

      Response live = api.send("GET", "/health/live", Map.of(), null);
      Response ready = api.send("GET", "/health/ready", Map.of(), null);

      assertEquals(200, live.status());
      assertEquals("live", live.data().getString("status"));
      assertEquals(200, ready.status());
      assertEquals("ready", ready.data().getString("status"));
      assertEquals(true, ready.json().getBoolean("success"));
    } finally {
      await(app.stop());
    }
  }

  @Test
  void healthcheckCommandExitsZeroOnlyWhileTheServiceIsLive(Vertx vertx) {
    App app = await(App.start(vertx, TestConfig.config()));
    int port = app.port();
    Map<String, String> env = TestConfig.env();
    env.put("PORT", Integer.toString(port));
    try {
      assertEquals(0, HealthCheckCommand.run(TestConfig.config(env)));
    } finally {
      await(app.stop());
    }
    assertEquals(1, HealthCheckCommand.run(TestConfig.config(env)));
  }

  /** Its own PostgreSQL: stopping the shared one would break every other test. */
  @Test
  void readinessIs503WhileTheDatabaseIsDownAndRecoversWhenItReturns(Vertx vertx) throws Exception {
    Path data = Files.createTempDirectory("me-service-ready");
    DevDatabase database = DevDatabase.start(data, true);
    int dbPort = database.port();
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", database.url());
    App app = await(App.start(vertx, TestConfig.config(env)));
    Api api = new Api(app.port());
    try {
      assertEquals(200, ready(api).status());

      database.close();
      Response down = awaitReadiness(api, status -> status == 503);
      assertEquals("UNAVAILABLE", down.error().getString("code"));
      assertEquals(down.header("X-Request-Id"), down.error().getString("request_id"));
      assertEquals(200, api.send("GET", "/health/live", Map.of(), null).status(), "liveness ignores the database");

      database = DevDatabase.start(data, true, dbPort);
      assertEquals(200, awaitReadiness(api, status -> status == 200).status());
    } finally {
      await(app.stop());
      database.close();
    }
  }

  private static Response ready(Api api) {
    return api.send("GET", "/health/ready", Map.of(), null);
  }

  /** Polls, bounded: the pool notices a dead or revived server on its next connection attempt. */
  private static Response awaitReadiness(Api api, IntPredicate wanted) throws InterruptedException {
    Response last = null;
    for (int i = 0; i < 60; i++) {
      last = ready(api);
      if (wanted.test(last.status())) {
        return last;
      }
      Thread.sleep(250);
    }
    assertTrue(false, "readiness stayed " + last.status() + ": " + last.text());
    return last;
  }
}
