package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.db.ChangeListener;
import meservice.db.ChannelTrust;
import meservice.reliability.Traffic.Sample;
import meservice.support.Admin;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stops answering without closing anything (a failover, a dropped path, a frozen
 * host: no RST, no FIN), under concurrent GET and PATCH. Every request is answered 503 within
 * the statement timeout plus a small margin, never left to hang; readiness says so; the stuck
 * connections are closed rather than reused; once the network heals the same process serves
 * 200s again within seconds, and no acknowledged write is lost.
 *
 * <p>The service reaches PostgreSQL through {@link SilentProxy}, on a database of its own on the
 * shared server, with the production defaults for the database limits and the production Vert.x
 * (native transport, as {@code serve} runs).
 */
class HungDatabaseTest {

  private static final int CLIENTS = 8;
  private static final int STATEMENT_TIMEOUT_MS = 5_000;
  /** The bound of the issue: the statement timeout plus a small margin, 10 s with the defaults. */
  private static final long MAX_REQUEST_MILLIS = 10_000;
  /** Long enough for every way a request can meet the silence: in flight, queued, on a new connection. */
  private static final long SILENCE_MILLIS = 15_000;
  private static final long RECOVERY_MILLIS = 10_000;

  /** What one client thread sent: its user, and every PATCH in order with its outcome. */
  private record Writer(String sub, String token, List<String> zones, List<Integer> statuses) {}

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aSilentDatabaseGives503sWithinTheBoundAndTheServiceRecoversWhenItHeals() throws Exception {
    Vertx admins = Vertx.vertx();
    String direct = TestDatabase.fresh(admins, "hung");
    PgConnectOptions target = PgConnectOptions.fromUri(direct);
    Vertx vertx = App.vertx();
    boolean passed = false;
    try (SilentProxy proxy = SilentProxy.start(target.getHost(), target.getPort());
        Admin admin = Admin.connect(admins, direct)) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", direct.replaceFirst(":" + target.getPort() + "/", ":" + proxy.port() + "/"));
      env.put("DB_POOL_SIZE", "4");
      env.put("DB_READ_CONNECTIONS", "2");
      env.put("DB_CONNECT_TIMEOUT_MS", "1000");
      env.put("DB_STATEMENT_TIMEOUT_MS", Integer.toString(STATEMENT_TIMEOUT_MS));
      App app = await(App.start(vertx, TestConfig.config(env)));
      Api api = new Api(app.port());
      Map<Integer, Writer> writers = new ConcurrentHashMap<>();
      try (Traffic traffic = Traffic.start(api, CLIENTS, i -> {
        String sub = Tokens.newUserId();
        Writer writer = new Writer(sub, Load.longSession(sub), new ArrayList<>(), new ArrayList<>());
        writers.put(i, writer);
        return (client, sequence) -> {
          if (sequence % 2 == 0) {
            return client.get(writer.token);
          }
          String zone = Load.ZONES.get((int) (sequence / 2 % Load.ZONES.size()));
          writer.zones.add(zone);
          writer.statuses.add(-1);
          Response response = client.patch(writer.token, Load.timezoneBody(zone));
          writer.statuses.set(writer.statuses.size() - 1, response.status());
          return response;
        };
      })) {
        long healthy = System.nanoTime();
        assertTrue(traffic.awaitEveryThread(healthy, s -> s.status() == 200, 10_000), "load runs at all");
        assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status());

        proxy.silence();
        long silenced = System.nanoTime();
        // Including the requests in flight when the network went silent: each within the bound.
        boolean outageAnswered = awaitEveryThreadEnded(traffic, silenced, 503, MAX_REQUEST_MILLIS);
        Response ready = api.send("GET", "/health/ready", Map.of(), null);
        long silentFor = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silenced);
        Thread.sleep(Math.max(0, SILENCE_MILLIS - silentFor));
        proxy.heal();
        long healed = System.nanoTime();
        boolean recovered = traffic.awaitEveryThread(healed, s -> s.status() == 200, RECOVERY_MILLIS);
        long recoveredAt = System.nanoTime();
        // A connection opened just before the heal is closed a deadline after it was opened.
        long evictionDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_REQUEST_MILLIS);
        while (proxy.silentAndOpen() > 0 && System.nanoTime() < evictionDeadline) {
          Thread.sleep(100);
        }
        Thread.sleep(1_000);
        traffic.close();
        List<Long> silentLifetimes = proxy.silentLifetimesMillis();

        List<Sample> all = traffic.samples();
        List<Sample> silent = traffic.startedAfter(silenced).stream().filter(s -> s.end() <= healed).toList();
        List<Sample> after = traffic.startedAfter(recoveredAt);
        List<Sample> answered503 = all.stream().filter(Sample::is503InTheEnvelope).toList();
        long slowest = all.stream().mapToLong(Sample::millis).max().orElseThrow();
        long first200 = all.stream().filter(s -> s.status() == 200 && s.end() > healed)
            .mapToLong(s -> TimeUnit.NANOSECONDS.toMillis(s.end() - healed)).min().orElse(-1);
        System.out.printf("hung database: %d requests, %d during %d ms of silence; 503s answered in %d-%d ms "
                + "(median %d); slowest request %d ms; %d connections silenced, closed by the service %d-%d ms "
                + "after going silent; after the network healed, a first 200 in %d ms and every client "
                + "served 200 again in %d ms%n",
            all.size(), silent.size(), SILENCE_MILLIS,
            answered503.stream().mapToLong(Sample::millis).min().orElse(-1),
            answered503.stream().mapToLong(Sample::millis).max().orElse(-1),
            answered503.stream().mapToLong(Sample::millis).sorted().skip(answered503.size() / 2).findFirst().orElse(-1),
            slowest, silentLifetimes.size(), silentLifetimes.get(0), silentLifetimes.get(silentLifetimes.size() - 1),
            first200, TimeUnit.NANOSECONDS.toMillis(recoveredAt - healed));

        assertTrue(outageAnswered, "every client is answered 503 within " + MAX_REQUEST_MILLIS + " ms of the silence");
        assertEquals(503, ready.status(), "readiness follows the database");
        assertEquals("UNAVAILABLE", ready.error().getString("code"));
        assertEquals(List.of(), all.stream().filter(s -> s.status() != 200 && !s.is503InTheEnvelope()).toList(),
            "never anything but 200 or 503 UNAVAILABLE in the envelope: no reset, no client timeout");
        assertEquals(List.of(), all.stream().filter(s -> s.millis() > MAX_REQUEST_MILLIS).toList(),
            "no request waits longer than the statement timeout plus a small margin");
        assertFalse(silent.isEmpty());
        // Reads of cached users are answered from memory while the change channel's last
        // confirmation is fresh (ChannelTrust), which the silence ends within 0.8 s.
        long trusted = silenced + ChannelTrust.FRESH_NANOS;
        assertEquals(List.of(), silent.stream().filter(s -> s.status() != 503 && s.end() > trusted).toList(),
            "nothing succeeds while the database is silent, once the cache's last confirmation is stale");
        assertEquals(List.of(), silentLifetimes.stream().filter(millis -> millis > MAX_REQUEST_MILLIS).toList(),
            "every silenced connection is closed by the service within the bound, none kept for reuse");
        assertTrue(recovered, "every client got a 200 within " + RECOVERY_MILLIS + " ms of the network healing");
        assertFalse(after.isEmpty());
        assertEquals(List.of(), after.stream().filter(s -> s.status() != 200).toList(), "recovered for good");
        assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status());
        assertEquals(1L, admin.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = $1", ChangeListener.APPLICATION_NAME).iterator().next().getLong(0),
            "the api key revocation listener is connected again");
        writers.values().forEach(writer -> assertNoAcknowledgedWriteLost(admin, writer));
        passed = true;
      } finally {
        within(app.stop(), "the service stops", passed);
      }
    } finally {
      within(vertx.close(), "Vert.x closes", passed);
      await(admins.close());
    }
  }

  /**
   * Shutting down must not hang after a silent database either (it did, before this suite).
   * Reported as the failure only when nothing failed before it.
   */
  private static void within(io.vertx.core.Future<?> closing, String what, boolean passed) throws Exception {
    try {
      closing.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      if (passed) {
        throw new AssertionError(what + " within 30 s", e);
      }
      System.err.println("hung database: " + what + " did not happen within 30 s");
    }
  }

  /** Waits until every client thread has had a request with {@code status} end after {@code nanos}. */
  private static boolean awaitEveryThreadEnded(Traffic traffic, long nanos, int status, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (traffic.samples().stream().filter(s -> s.end() >= nanos && s.status() == status)
          .mapToInt(Sample::thread).distinct().count() == CLIENTS) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /**
   * The stored zone is the last one acknowledged with 200, or one sent after it whose outcome the
   * client never learnt (a 503 may have committed); the row's version counts every committed write.
   */
  private static void assertNoAcknowledgedWriteLost(Admin admin, Writer writer) {
    int lastAcknowledged = writer.statuses.lastIndexOf(200);
    long acknowledged = writer.statuses.stream().filter(s -> s == 200).count();
    long unknown = writer.statuses.size() - acknowledged;
    Row stored = admin.user(writer.sub);
    assertTrue(lastAcknowledged >= 0, "every client had a write acknowledged");
    List<String> possible = writer.zones.subList(lastAcknowledged, writer.zones.size());
    assertTrue(possible.contains(stored.getString("timezone")),
        "stored " + stored.getString("timezone") + " is the last acknowledged write or a later one");
    long version = stored.getLong("version");
    assertTrue(version >= acknowledged && version <= acknowledged + unknown,
        "version " + version + " counts " + acknowledged + " acknowledged writes (+ at most " + unknown + " unknown)");
  }
}
