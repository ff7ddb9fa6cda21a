package meservice.ops;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import meservice.db.Reads;
import meservice.http.ApiError;
import meservice.http.Envelope;
import meservice.http.ErrorCode;
import meservice.http.RequestId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health/live} (the process answers; never touches the database, so a database outage
 * does not get every instance restarted) and {@code /health/ready} (the database answers a
 * {@code SELECT 1} within a second, the instance's other conditions hold, e.g. signing keys are
 * loaded, and it is not shutting down).
 *
 * <p>Probes share pings: at most one is in flight, and its answer serves every probe for a
 * second after it was sent, so any number of load balancers probing cost one round trip a second.
 * The ping runs on a pipelined read connection: it never waits for, nor takes, a write-pool
 * connection, so a busy write pool does not take every instance out of rotation at once.
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  private static final long READY_TIMEOUT_MILLIS = 1_000;
  static final long PING_REUSE_NANOS = 1_000_000_000L;

  private final Supplier<String> keysNotReady;
  private final AtomicReference<Ping> lastPing = new AtomicReference<>();
  private volatile boolean shuttingDown;

  private record Ping(long sentAt, Future<Void> answer) {}

  /**
   * @param keysNotReady {@code null} while tokens can be verified with current keys; otherwise
   *     why not (a JWKS not loaded yet, or not fetched for too long)
   */
  public Health(Supplier<String> keysNotReady) {
    this.keysNotReady = keysNotReady;
  }

  /** From now on readiness answers 503, so load balancers stop sending new work here. */
  public void beginShutdown() {
    shuttingDown = true;
  }

  public void live(RoutingContext rc) {
    Envelope.ok(rc, new JsonObject().put("status", "live"));
  }

  /** {@code ping}: on the probe's event loop's read connections (the standby first, if any). */
  public void ready(RoutingContext rc, Reads.Statement ping) {
    if (shuttingDown) {
      Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, "shutting down"));
      return;
    }
    String keys = keysNotReady.get();
    if (keys != null) {
      LOG.atWarn().addKeyValue("request_id", RequestId.of(rc)).log("not ready: {}", keys);
      Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, keys));
      return;
    }
    Future<Void> answer = databaseAnswer(rc, ping);
    if (answer.isComplete()) {
      respond(rc, answer);
    } else {
      // The ping may have been sent from another event loop: answer on this request's own.
      Context context = rc.vertx().getOrCreateContext();
      answer.onComplete(ar -> context.runOnContext(v -> respond(rc, answer)));
    }
  }

  /** The last ping while it is in flight or younger than {@link #PING_REUSE_NANOS}; else a new one. */
  private Future<Void> databaseAnswer(RoutingContext rc, Reads.Statement ping) {
    long now = System.nanoTime();
    Ping last = lastPing.get();
    if (last != null && (!last.answer.isComplete() || now - last.sentAt < PING_REUSE_NANOS)) {
      return last.answer;
    }
    Promise<Void> answer = Promise.promise();
    if (!lastPing.compareAndSet(last, new Ping(now, answer.future()))) {
      return lastPing.get().answer;
    }
    String requestId = RequestId.of(rc);
    ping.execute(Tuple.tuple())
        .timeout(READY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        // Logged once per ping, not once per probe: a probe flood during an outage is not a log flood.
        .onFailure(err -> LOG.atWarn().addKeyValue("request_id", requestId)
            .log("not ready: database did not answer: {}", err.toString()))
        .onComplete(answer);
    return answer.future();
  }

  private static void respond(RoutingContext rc, Future<Void> answer) {
    if (answer.succeeded()) {
      Envelope.ok(rc, new JsonObject().put("status", "ready"));
    } else {
      Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, "database unavailable"));
    }
  }
}
