import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import meservice.apikey.ApiKeySql;

/**
 * Load client of bench/cluster.sh, run against the service jar (never part of it):
 *
 * <pre>
 * java -cp me-service.jar bench/tools/ClusterLoad.java load HAPROXY_PORT TOKENS OUT_DIR WORKERS RATE DB_URL
 * java -cp me-service.jar bench/tools/ClusterLoad.java revoke KEY KEY_ID DB_URL PORT1,PORT2,PORT3
 * </pre>
 *
 * <p>{@code load}: WORKERS workers, each owning every WORKERS-th user of TOKENS (one token per
 * line, user n = line n, as bench/tools/MintTokens.java writes them), send one request at a time
 * (GET or, one time in four, PATCH; only GETs while OUT_DIR/reads-only exists), paced to RATE
 * requests per second in all, until OUT_DIR/stop
 * exists. Every request's outcome is written to OUT_DIR/requests.tsv: when it was sent and
 * answered, method, status (0: no answer), whether it carried {@code Retry-After}, whether the
 * service answered (its {@code X-Request-Id}; else the load balancer did), the result of its
 * consistency check, and for a failure the reason. Each PATCH sets a timezone that the user
 * has not had before in the run, and a user's requests are sequential, so two things are checked
 * as they happen, from the answers alone: a GET must show the user's last acknowledged PATCH or a
 * later state (its ETag's version is at least that PATCH's, its timezone is that PATCH's or one
 * sent after it without an answer): else {@code stale_read}, or {@code stale_in_window} when sent
 * within a second of that acknowledgement (the user cache's cross-instance window); and a PATCH's version must be above
 * the last acknowledged one: else {@code version_regressed} (an acknowledged write was lost).
 * After the run the database itself is checked: every user's stored timezone must be the value
 * of its last acknowledged PATCH, or of a PATCH sent after it that got no answer (in doubt: it
 * may have committed). Summary: OUT_DIR/load.json.
 *
 * <p>{@code revoke}: polls the key on every instance directly until all answer 200 (cached),
 * revokes it with the CLI's own statement, and measures per instance how long after the commit
 * was acknowledged the key is first refused (and that it stays refused): when the first 401 was
 * answered, and when that request was sent (on a starved machine the poll's own round trip is
 * most of the first figure). Prints one JSON line.
 */
public final class ClusterLoad {

  /** How long after a PATCH's acknowledgement another instance may still serve the row before it. */
  private static final long STALE_WINDOW_MS = 1_000;

  private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
      .filter(z -> z.matches("(Europe|America|Asia|Africa|Australia|Pacific|Atlantic|Indian)/[A-Za-z_]+"))
      .sorted()
      .toList();

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "load" -> load(Integer.parseInt(args[1]), Path.of(args[2]), Path.of(args[3]),
          Integer.parseInt(args[4]), Integer.parseInt(args[5]), args[6]);
      case "revoke" -> revoke(args[1], args[2], args[3], args[4]);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  // --- load --------------------------------------------------------------------------------------

  /** One user's writes: what was acknowledged last and what was sent after it without an answer. */
  private static final class User {
    final String sub;
    final String token;
    int patches;
    String acknowledged = "UTC"; // the seed value
    long acknowledgedVersion = -1; // unknown until a PATCH is acknowledged
    long acknowledgedAt; // when that PATCH's answer arrived (ms)
    final List<String> inDoubt = new ArrayList<>();

    User(String sub, String token) {
      this.sub = sub;
      this.token = token;
    }

    /**
     * A GET's state against this user's writes: null when it is one the reader may see. A GET sent
     * within {@link #STALE_WINDOW_MS} of the acknowledgement that answers from before it is
     * {@code stale_in_window}: another instance had not heard of the write yet (the user cache's
     * documented window); later, {@code stale_read}.
     */
    String checkRead(long version, String zone, long sent) {
      boolean stale = version >= 0 && version < acknowledgedVersion
          || zone != null && !zone.equals(acknowledged) && !inDoubt.contains(zone);
      return !stale ? null : sent - acknowledgedAt < STALE_WINDOW_MS ? "stale_in_window" : "stale_read";
    }
  }

  /** One request's outcome; check and reason are null when there is nothing to say. */
  private record Outcome(long sentMillis, long answeredMillis, boolean patch, Answer answer, String check, String reason) {}

  private record Answer(int status, boolean retryAfter, boolean service, long version, String zone, boolean malformed) {}

  private static void load(int port, Path tokens, Path out, int workers, int rate, String dbUrl) throws Exception {
    List<String> lines = Files.readAllLines(tokens);
    List<User> users = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      users.add(new User(String.format("user_bench%022d", i + 1), lines.get(i)));
    }
    Vertx vertx = Vertx.vertx();
    HttpClientAgent client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true)
            .setConnectTimeout(5000),
        new PoolOptions().setHttp1MaxSize(workers));
    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) * workers / rate;
    Path stop = out.resolve("stop");
    Path readsOnly = out.resolve("reads-only");
    Path paused = out.resolve("paused");
    CountDownLatch finished = new CountDownLatch(workers);
    long started = System.currentTimeMillis();
    for (int w = 0; w < workers; w++) {
      List<User> own = new ArrayList<>();
      for (int i = w; i < users.size(); i += workers) {
        own.add(users.get(i));
      }
      int worker = w;
      vertx.runOnContext(v -> new Object() {
        int turn;
        long next = System.nanoTime() + intervalNanos * worker / workers;

        void step() {
          if (Files.exists(stop)) {
            finished.countDown();
            return;
          }
          if (Files.exists(paused)) {
            next = System.nanoTime() + intervalNanos;
            vertx.setTimer(50, id -> step());
            return;
          }
          User user = own.get(turn % own.size());
          boolean patch = turn % 4 == 3 && !Files.exists(readsOnly);
          turn++;
          String zone = patch ? ZONES.get(user.patches++ % ZONES.size()) : null;
          RequestOptions request = new RequestOptions()
              .setMethod(patch ? HttpMethod.PATCH : HttpMethod.GET)
              .setURI("/v1/me")
              .setIdleTimeout(15_000)
              .putHeader("Authorization", "Bearer " + user.token);
          if (patch) {
            request.putHeader("Content-Type", "application/json");
          }
          Buffer body = patch ? Buffer.buffer("{\"preferences\": {\"timezone\": \"" + zone + "\"}}") : null;
          long sent = System.currentTimeMillis();
          client.request(request)
              .compose(req -> body == null ? req.send() : req.send(body))
              .compose(resp -> resp.body().map(b -> answer(resp, patch ? null : b)))
              .onComplete(ar -> {
                Answer answer = ar.succeeded() ? ar.result() : new Answer(0, false, false, -1, null, false);
                int status = answer.status;
                String check = null;
                if (patch) {
                  if (status == 200) {
                    if (answer.version >= 0 && answer.version <= user.acknowledgedVersion) {
                      check = "version_regressed";
                    }
                    user.acknowledged = zone;
                    user.acknowledgedAt = System.currentTimeMillis();
                    user.acknowledgedVersion = Math.max(answer.version, user.acknowledgedVersion);
                    user.inDoubt.clear();
                  } else if (status == 0 || status >= 500) {
                    user.inDoubt.add(zone); // may have committed
                  }
                } else if (status == 200) {
                  check = answer.malformed ? "malformed_body" : user.checkRead(answer.version, answer.zone, sent);
                }
                String reason = status == 200 ? null
                    : ar.succeeded() ? "status " + status : String.valueOf(ar.cause());
                outcomes.add(new Outcome(sent, System.currentTimeMillis(), patch, answer, check, reason));
                next += intervalNanos;
                long wait = (next - System.nanoTime()) / 1_000_000;
                if (wait >= 1) {
                  vertx.setTimer(wait, id -> step());
                } else {
                  next = System.nanoTime(); // behind: do not burst to catch up
                  vertx.runOnContext(x -> step());
                }
              });
        }
      }.step());
    }
    finished.await();
    long ended = System.currentTimeMillis();
    client.close().await();

    long[] counts = new long[4]; // GET ok, GET failed, PATCH ok, PATCH failed
    Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> checks = new TreeMap<>();
    StringBuilder tsv = new StringBuilder("sent_ms\tanswered_ms\tmethod\tstatus\tretry_after\tservice\tcheck\treason\n");
    for (Outcome o : outcomes) {
      int status = o.answer.status;
      counts[(o.patch ? 2 : 0) + (status == 200 ? 0 : 1)]++;
      statuses.merge(String.valueOf(status), 1L, Long::sum);
      if (o.check != null) {
        checks.merge(o.check, 1L, Long::sum);
      }
      tsv.append(o.sentMillis).append('\t').append(o.answeredMillis).append('\t').append(o.patch ? "PATCH" : "GET")
          .append('\t').append(status).append('\t').append(o.answer.retryAfter ? 1 : 0)
          .append('\t').append(o.answer.service ? 1 : 0)
          .append('\t').append(o.check == null ? "-" : o.check)
          .append('\t').append(o.reason == null ? "-" : o.reason.replace('\t', ' ').replace('\n', ' ')).append('\n');
    }
    Files.writeString(out.resolve("requests.tsv"), tsv);

    // Acknowledged writes against the database itself.
    PgConnection db = PgConnection.connect(vertx, PgConnectOptions.fromUri(dbUrl)).await();
    Map<String, String> stored = new HashMap<>();
    String[] subs = users.stream().map(u -> u.sub).toArray(String[]::new);
    for (Row row : db.preparedQuery("SELECT clerk_user_id, preferences->>'timezone' FROM users WHERE clerk_user_id = ANY($1)")
        .execute(Tuple.of(subs)).await()) {
      stored.put(row.getString(0), row.getString(1));
    }
    db.close().await();
    vertx.close().await();
    int lost = 0;
    int inDoubtCommitted = 0;
    JsonArray lostExamples = new JsonArray();
    for (User user : users) {
      String value = stored.get(user.sub);
      if (user.acknowledged.equals(value)) {
        continue;
      }
      if (user.inDoubt.contains(value)) {
        inDoubtCommitted++;
      } else {
        lost++;
        if (lostExamples.size() < 5) {
          lostExamples.add(user.sub + ": stored " + value + ", acknowledged " + user.acknowledged);
        }
      }
    }
    JsonObject summary = new JsonObject()
        .put("started_ms", started).put("ended_ms", ended)
        .put("seconds", (ended - started) / 1000.0)
        .put("requests", counts[0] + counts[1] + counts[2] + counts[3])
        .put("get_ok", counts[0]).put("get_failed", counts[1])
        .put("patch_ok", counts[2]).put("patch_failed", counts[3])
        .put("statuses", new JsonObject(new HashMap<>(statuses)))
        .put("checks", new JsonObject(new HashMap<>(checks)))
        .put("users_checked", users.size())
        .put("acknowledged_writes_lost", lost)
        .put("in_doubt_writes_committed", inDoubtCommitted)
        .put("lost_examples", lostExamples);
    Files.writeString(out.resolve("load.json"), summary.encodePrettily());
    System.out.println(summary.encode());
  }

  /**
   * The parts of an answer the checks need: the version is the number before the dash of the
   * ETag ({@code "<version>-<fingerprint>"}), -1 without one; the timezone is read from a GET's body.
   */
  private static Answer answer(HttpClientResponse response, Buffer body) {
    int status = response.statusCode();
    String etag = response.getHeader("ETag");
    long version = -1;
    if (etag != null) {
      int dash = etag.indexOf('-');
      try {
        version = dash > 1 ? Long.parseLong(etag.substring(1, dash)) : -1;
      } catch (NumberFormatException e) {
        version = -1;
      }
    }
    String zone = null;
    boolean malformed = false;
    if (status == 200 && body != null) {
      try {
        zone = body.toJsonObject().getJsonObject("data").getJsonObject("preferences").getString("timezone");
      } catch (RuntimeException e) {
        malformed = true;
      }
    }
    return new Answer(status, response.getHeader("Retry-After") != null, response.getHeader("X-Request-Id") != null,
        version, zone, malformed);
  }

  // --- revoke ------------------------------------------------------------------------------------

  private static void revoke(String key, String keyId, String dbUrl, String ports) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    List<Integer> instances = java.util.Arrays.stream(ports.split(",")).map(Integer::parseInt).toList();
    // Served (and so cached) by every instance first.
    for (int port : instances) {
      int ok = 0;
      for (int i = 0; i < 200 && ok < 20; i++) {
        ok = status(client, port, key) == 200 ? ok + 1 : 0;
        Thread.sleep(10);
      }
      if (ok < 20) {
        throw new IllegalStateException("instance on " + port + " does not serve the key");
      }
    }
    PgConnection db = PgConnection.connect(vertx, PgConnectOptions.fromUri(dbUrl)).await();
    long sentEpoch = System.currentTimeMillis();
    long sent = System.nanoTime();
    db.preparedQuery(ApiKeySql.REVOKE_API_KEY).execute(Tuple.of(UUID.fromString(keyId))).await();
    long committed = System.nanoTime();
    long committedEpoch = System.currentTimeMillis();
    db.close().await();
    JsonObject result = new JsonObject().put("key_id", keyId)
        .put("commit_sent_epoch_ms", sentEpoch).put("commit_acked_epoch_ms", committedEpoch)
        .put("commit_ms", (committed - sent) / 1e6);
    List<Thread> pollers = new ArrayList<>();
    Map<Integer, Double> refusedAfter = new TreeMap<>();
    Map<Integer, Double> refusedRequestSentAfter = new TreeMap<>();
    for (int port : instances) {
      Thread poller = new Thread(() -> {
        double ms = -1;
        while (System.nanoTime() - committed < TimeUnit.SECONDS.toNanos(5)) {
          long polled = System.nanoTime();
          int status = status(client, port, key);
          if (status == 401) {
            ms = (System.nanoTime() - committed) / 1e6;
            synchronized (refusedAfter) {
              refusedRequestSentAfter.put(port, (polled - committed) / 1e6);
            }
            break;
          }
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
        // Refused for good: ten more tries.
        for (int i = 0; i < 10 && ms >= 0; i++) {
          if (status(client, port, key) != 401) {
            ms = -2;
          }
        }
        synchronized (refusedAfter) {
          refusedAfter.put(port, ms);
        }
      });
      poller.start();
      pollers.add(poller);
    }
    for (Thread poller : pollers) {
      poller.join();
    }
    JsonObject perInstance = new JsonObject();
    refusedAfter.forEach((port, ms) -> perInstance.put(String.valueOf(port), ms));
    result.put("refused_after_ms", perInstance);
    JsonObject sentPerInstance = new JsonObject();
    refusedRequestSentAfter.forEach((port, ms) -> sentPerInstance.put(String.valueOf(port), ms));
    result.put("refused_request_sent_after_ms", sentPerInstance);
    client.close().await();
    vertx.close().await();
    System.out.println(result.encode());
  }

  private static int status(HttpClientAgent client, int port, String key) {
    Promise<Integer> status = Promise.promise();
    client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/me")
            .setIdleTimeout(5000).putHeader("Authorization", "Bearer " + key))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> status.complete(ar.succeeded() ? ar.result() : 0));
    try {
      return status.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0;
    }
  }
}
