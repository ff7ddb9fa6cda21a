package meservice.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import meservice.support.Api.Response;
import meservice.support.Admin;
import meservice.support.RunningService;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many clients patching at once lose nothing: afterwards the database holds, for every user, the
 * value last acknowledged with a 200, and each row's version counts exactly the 200s it was given.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentIntegrityTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private static final int CLIENTS = 32;
  private static final int USERS = 200;
  private static final int PATCHES_PER_CLIENT = 100;
  /** Valid IDs the service stores exactly as given: the written value can be compared verbatim. */
  private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
      .filter(id -> id.indexOf('/') > 0 && !id.startsWith("SystemV/") && !id.startsWith("Etc/"))
      .sorted().toList();

  @Test
  void everyUserEndsWithTheValueLastAcknowledgedForIt(Vertx vertx) {
    List<String> users = new ArrayList<>();
    Map<String, String> tokens = new HashMap<>();
    for (int i = 0; i < USERS; i++) {
      String sub = Tokens.newUserId();
      users.add(sub);
      tokens.put(sub, Load.longSession(sub));
    }
    Map<String, String> lastAcknowledged = new ConcurrentHashMap<>();
    Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    List<Response> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    try {
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        // Client c owns users c, c + CLIENTS, ...: each user is written by one thread, in order.
        List<String> own = new ArrayList<>();
        for (int u = c; u < USERS; u += CLIENTS) {
          own.add(users.get(u));
        }
        Random random = new Random(c);
        running.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < PATCHES_PER_CLIENT; i++) {
            String sub = own.get(random.nextInt(own.size()));
            String zone = ZONES.get(random.nextInt(ZONES.size()));
            Response response = service.api().patch(tokens.get(sub), Load.timezoneBody(zone));
            if (response.status() == 200) {
              lastAcknowledged.put(sub, zone);
              acknowledged.merge(sub, 1, Integer::sum);
            } else {
              failures.add(response);
            }
          }
        }, clients));
      }
      running.forEach(CompletableFuture::join);
    } finally {
      clients.shutdownNow();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf("integrity: %d PATCHes by %d clients over %d users in %d ms%n",
        CLIENTS * PATCHES_PER_CLIENT, CLIENTS, USERS, millis);

    assertEquals(List.of(), failures, "a healthy service acknowledges every valid PATCH");
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      for (String sub : lastAcknowledged.keySet()) {
        Row stored = admin.user(sub);
        assertEquals(lastAcknowledged.get(sub), stored.getString("timezone"), "stored value of " + sub);
        assertEquals(acknowledged.get(sub).longValue(), stored.getLong("version"), "one version per 200 for " + sub);
      }
    }
    assertTrue(lastAcknowledged.size() > USERS / 2, "most users were written");
  }

  @Test
  void concurrentPatchesOfOneUserLoseNoUpdate(Vertx vertx) {
    String sub = Tokens.newUserId();
    String token = Load.longSession(sub);
    assertEquals(200, service.api().patch(token, Load.timezoneBody("UTC")).status());
    int patches = 320;
    ExecutorService clients = Executors.newFixedThreadPool(16);
    List<CompletableFuture<Response>> sent = new ArrayList<>();
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      long initial = admin.user(sub).getLong("version");
      for (int i = 0; i < patches; i++) {
        String zone = ZONES.get(i % ZONES.size());
        sent.add(CompletableFuture.supplyAsync(() -> service.api().patch(token, Load.timezoneBody(zone)), clients));
      }
      List<Response> responses = sent.stream().map(CompletableFuture::join).toList();
      List<Response> ok = responses.stream().filter(r -> r.status() == 200).toList();
      Row stored = admin.user(sub);

      assertEquals(patches, ok.size(), "every PATCH acknowledged");
      assertEquals(initial + ok.size(), stored.getLong("version"), "one version per 200: no lost update");
      List<Long> versions = ok.stream().map(r -> Long.parseLong(r.header("ETag").replaceAll("^\"(\\d+)-.*$", "$1")))
          .sorted().toList();
      assertEquals(ok.size(), versions.stream().distinct().count(), "no two 200s report the same version");
      Response last = ok.stream().filter(r -> r.header("ETag").startsWith("\"" + stored.getLong("version") + "-"))
          .findFirst().orElseThrow();
      assertEquals(stored.getString("timezone"),
          last.data().getJsonObject("preferences").getString("timezone"),
          "the stored value is the one the last acknowledged write returned");
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void concurrentFirstWritesOfNewUsersAreAllAcknowledged(Vertx vertx) {
    int users = 100;
    int writersPerUser = 8;
    ExecutorService clients = Executors.newFixedThreadPool(32);
    List<CompletableFuture<Response>> sent = new ArrayList<>();
    List<String> subs = new ArrayList<>();
    try {
      for (int u = 0; u < users; u++) {
        String sub = Tokens.newUserId();
        String token = Load.longSession(sub);
        subs.add(sub);
        for (int w = 0; w < writersPerUser; w++) {
          String zone = ZONES.get((u * writersPerUser + w) % ZONES.size());
          sent.add(CompletableFuture.supplyAsync(() -> service.api().patch(token, Load.timezoneBody(zone)), clients));
        }
      }
      List<Response> refused = sent.stream().map(CompletableFuture::join).filter(r -> r.status() != 200).toList();
      assertEquals(List.of(), refused.stream().map(Response::text).toList(), "every first write acknowledged");
    } finally {
      clients.shutdownNow();
    }
    try (Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      for (String sub : subs) {
        assertEquals(writersPerUser, admin.user(sub).getLong("version"), "one row, one version per write, for " + sub);
      }
    }
  }
}
