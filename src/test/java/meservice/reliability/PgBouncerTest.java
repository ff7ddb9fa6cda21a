package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.db.ChangeListener;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.ApiKeyCli;
import meservice.support.ApiKeyCli.Created;
import meservice.support.PgBouncer;
import meservice.support.Revocations;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service behind a real PgBouncer (1.18, the Debian package) in front of PostgreSQL. Session
 * pooling works as is; transaction pooling works with DATABASE_POOL_MODE=transaction, a
 * DATABASE_DIRECT_URL for the revocation listener and the statement timeout as a database
 * default. Every way of getting that wrong stops start-up with one line naming the setting,
 * rather than a service whose API-key cache no revocation reaches.
 */
class PgBouncerTest {

  private static Vertx vertx;
  private static int postgresPort;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
    postgresPort = URI.create(TestDatabase.url()).getPort();
  }

  @AfterAll
  static void close() {
    await(vertx.close());
  }

  @Test
  void sessionPoolingServesReadsWritesAndFeelsRevocationsWithinOneSecond() throws Exception {
    String database = freshDatabase(false);
    try (PgBouncer bouncer = PgBouncer.start("session", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", bouncer.url(database));
      servesAndFeelsRevocations(TestConfig.config(env), bouncer);
    }
  }

  @Test
  void transactionPoolingWithADirectUrlServesReadsWritesAndFeelsRevocationsWithinOneSecond() throws Exception {
    String database = freshDatabase(true);
    try (PgBouncer bouncer = PgBouncer.start("transaction", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_POOL_MODE", "transaction");
      env.put("DATABASE_URL", bouncer.url(database));
      env.put("DATABASE_DIRECT_URL", directUrl(database));
      servesAndFeelsRevocations(TestConfig.config(env), bouncer);
    }
  }

  @Test
  void transactionPoolingTakenForSessionsIsRefusedAtStart() throws Exception {
    String database = freshDatabase(true);
    try (PgBouncer bouncer = PgBouncer.start("transaction", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", bouncer.url(database));
      assertRefusedAtStart(env, "DATABASE_POOL_MODE: DATABASE_URL connects through a transaction-mode pool");
    }
  }

  @Test
  void aDirectUrlThroughTransactionPoolingIsRefusedAtStart() throws Exception {
    String database = freshDatabase(true);
    try (PgBouncer bouncer = PgBouncer.start("transaction", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_POOL_MODE", "transaction");
      env.put("DATABASE_URL", bouncer.url(database));
      env.put("DATABASE_DIRECT_URL", bouncer.url(database));
      assertRefusedAtStart(env, "DATABASE_DIRECT_URL: connects through a transaction-mode pool");
    }
  }

  @Test
  void transactionPoolingWithoutTheStatementTimeoutAsADefaultIsRefusedAtStart() throws Exception {
    String database = freshDatabase(false);
    try (PgBouncer bouncer = PgBouncer.start("transaction", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_POOL_MODE", "transaction");
      env.put("DATABASE_URL", bouncer.url(database));
      env.put("DATABASE_DIRECT_URL", directUrl(database));
      assertRefusedAtStart(env, "DB_STATEMENT_TIMEOUT_MS: 5000 ms, but under DATABASE_POOL_MODE=transaction");
    }
  }

  /**
   * PgBouncer's server connections terminated under load, in transaction mode: the reads queued
   * on a client connection whose server went away fail together (the client reports them as
   * "pending requests failed to be sent"), and each is a 503 with Retry-After, never a 500.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void serverConnectionsTerminatedUnderTransactionPoolingCostOnly503s() throws Exception {
    String database = freshDatabase(true);
    try (PgBouncer bouncer = PgBouncer.start("transaction", postgresPort)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_POOL_MODE", "transaction");
      env.put("DATABASE_URL", bouncer.url(database));
      env.put("DATABASE_DIRECT_URL", directUrl(database));
      App app = await(App.start(vertx, TestConfig.config(env)));
      Api api = new Api(app.port());
      try (Admin admin = Admin.connect(vertx, directUrl(database));
          Traffic traffic = Traffic.start(api, 16, Load::getOrPatchOwnUser)) {
        assertTrue(traffic.awaitEveryThread(System.nanoTime(), s -> s.status() == 200, 10_000), "load runs at all");
        long killed = 0;
        for (int round = 0; round < 10; round++) {
          killed += admin.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
              + "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1",
              ChangeListener.APPLICATION_NAME).iterator().next().getLong(0);
          Thread.sleep(200);
        }
        long lastKill = System.nanoTime();
        assertTrue(traffic.awaitEveryThread(lastKill, s -> s.status() == 200, 5_000), "served again after the kills");
        traffic.close();

        List<Traffic.Sample> all = traffic.samples();
        System.out.printf("pgbouncer transaction mode: %d server connections terminated under %d requests, %d 503s%n",
            killed, all.size(), all.stream().filter(s -> s.status() == 503).count());
        assertTrue(killed > 0, "PgBouncer had server connections to terminate");
        assertEquals(List.of(), FailoverTest.firstFew(all.stream().filter(s -> s.status() != 200 && !s.is503InTheEnvelope())),
            "a request whose server connection died is 503 UNAVAILABLE with Retry-After, never a 500");
      } finally {
        await(app.stop());
      }
    }
  }

  private static void servesAndFeelsRevocations(AppConfig config, PgBouncer bouncer) throws Exception {
    App app;
    try {
      app = await(App.start(vertx, config));
    } catch (CompletionException e) {
      throw new AssertionError("start-up failed: " + e.getCause() + "\npgbouncer log:\n" + bouncer.log(), e);
    }
    try {
      Api api = new Api(app.port());
      readsAndWritesConcurrently(api);

      // Requests' sessions run under the configured statement timeout, whichever way it was set.
      assertEquals("5s", await(app.pool().query("SHOW statement_timeout").execute()).iterator().next().getString(0));

      // The listener confirms its channel through PgBouncer's pooling too: a hot key is served
      // from memory (gone from the database without an announcement, it still answers 200).
      Created hot = ApiKeyCli.create(vertx, config, ApiKeyCli.newOrgId());
      warm(api, hot);
      await(app.pool().preparedQuery("DELETE FROM api_keys WHERE id = $1").execute(Tuple.of(UUID.fromString(hot.id()))));
      assertEquals(200, api.get(hot.key()).status(), "a hot key is answered from the cache");

      Created key = ApiKeyCli.create(vertx, config, ApiKeyCli.newOrgId());
      warm(api, key);
      ApiKeyCli.revoke(vertx, config, key.id());
      Revocations.assertRefusedWithinOneSecond(key.key(), api);
    } finally {
      await(app.stop());
    }
  }

  /** Many connections, pipelined reads and pooled writes at once: where unnamed statements matter. */
  private static void readsAndWritesConcurrently(Api api) throws Exception {
    String[] zones = {"Europe/Paris", "Asia/Tokyo", "America/New_York", "Africa/Cairo"};
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        done.add(clients.submit(() -> {
          String token = Tokens.session(Tokens.newUserId());
          for (int i = 0; i < 20; i++) {
            String zone = zones[i % zones.length];
            Api.Response patched = api.patch(token, "{\"preferences\": {\"timezone\": \"" + zone + "\"}}");
            assertEquals(200, patched.status(), patched.text());
            Api.Response read = api.get(token);
            assertEquals(200, read.status(), read.text());
            assertEquals(zone, read.data().getJsonObject("preferences").getString("timezone"));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> client : done) {
        client.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  private static void assertRefusedAtStart(Map<String, String> env, String line) {
    CompletionException e = assertThrows(CompletionException.class, () -> await(App.start(vertx, TestConfig.config(env))));
    assertTrue(e.getCause() instanceof ConfigException, "a configuration error, not " + e.getCause());
    assertTrue(e.getCause().getMessage().startsWith(line), e.getCause().getMessage());
    assertTrue(!e.getCause().getMessage().contains("\n"), "one line");
  }

  /** A database of its own, so that migrations run through PgBouncer from scratch. */
  private static String freshDatabase(boolean statementTimeoutAsDefault) {
    String name = "pgb_" + UUID.randomUUID().toString().replace("-", "");
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      admin.query("CREATE DATABASE " + name);
      if (statementTimeoutAsDefault) {
        admin.query("ALTER DATABASE " + name + " SET statement_timeout = 5000");
      }
    }
    return name;
  }

  private static String directUrl(String database) {
    return "postgresql://postgres:postgres@127.0.0.1:" + postgresPort + "/" + database;
  }

  private static void warm(Api api, Created key) throws InterruptedException {
    long until = System.nanoTime() + 500_000_000L;
    while (System.nanoTime() < until) {
      assertEquals(200, api.get(key.key()).status());
      Thread.sleep(50);
    }
  }
}
