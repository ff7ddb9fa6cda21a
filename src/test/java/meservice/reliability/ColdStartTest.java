package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.db.Migrations;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several instances deployed at once on an empty database (a first deploy, or a fresh
 * environment) all come up: the migrations are applied once, by whichever takes the lock first,
 * and the others find them applied. Each round gets a database of its own on the shared server.
 */
@ExtendWith(VertxExtension.class)
class ColdStartTest {

  private static final int INSTANCES = 3;
  private static final int ROUNDS = 3;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void threeInstancesStartingTogetherOnAnEmptyDatabaseAllComeUp(Vertx vertx) {
    for (int round = 0; round < ROUNDS; round++) {
      String url = TestDatabase.fresh(vertx, "cold");
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", url);
      env.put("DB_POOL_SIZE", "2");

      long start = System.nanoTime();
      List<Future<App>> starting = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        starting.add(App.start(vertx, TestConfig.config(env)));
      }
      Future.join(starting).toCompletionStage().toCompletableFuture().handle((v, e) -> null).join();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      List<App> started = starting.stream().filter(Future::succeeded).map(Future::result).toList();
      List<String> failures = starting.stream().filter(Future::failed).map(f -> f.cause().toString()).toList();
      try {
        assertEquals(List.of(), failures, "round " + round + ": every instance starts");
        String sub = Tokens.newUserId();
        String token = Tokens.session(sub);
        for (App app : started) {
          Api api = new Api(app.port());
          assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status());
          assertEquals(200, api.patch(token, Load.timezoneBody("Asia/Seoul")).status());
        }
        try (Admin admin = Admin.connect(vertx, url)) {
          List<Integer> versions = new ArrayList<>();
          for (Row row : admin.query("SELECT version FROM schema_migrations ORDER BY version")) {
            versions.add(row.getInteger(0));
          }
          assertEquals(Migrations.load().versions(), versions, "each migration recorded once");
          assertEquals(INSTANCES + 0L, admin.user(sub).getLong("version"), "the three instances share one schema");
        }
      } finally {
        for (App app : started) {
          await(app.stop());
        }
      }
      System.out.printf("cold start: round %d, %d instances on an empty database, %d started, all within %d ms%n",
          round, INSTANCES, started.size(), millis);
    }
  }
}
