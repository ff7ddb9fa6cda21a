package meservice.apikey;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.UUID;
import meservice.db.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link Sql#API_KEY_REVOKED_CHANNEL} with the reactive client's {@link PgSubscriber}
 * (its own connection, reconnected after a loss) and evicts each revoked key from this
 * instance's {@link ApiKeyCache}.
 *
 * <p>A notification sent while the connection was down is lost, and a half-open connection
 * delivers nothing without failing. So a heartbeat pings the subscriber's connection several
 * times a second: each answer confirms the channel to the cache (which serves entries only while
 * a confirmation is fresh), a new connection empties the cache, and a connection that stops
 * answering is closed so that the subscriber reconnects. The ping confirms only if the session
 * answering is listening: behind a pooler that lends sessions per transaction, a LISTEN and the
 * pings that follow may each run on a different session, and an answer alone would vouch for a
 * channel that hears nothing.
 */
public final class RevocationListener {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationListener.class);
  /** How the listening connection shows in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "me-service-revocations";
  static final long PING_INTERVAL_MS = 200;
  private static final long UNRESPONSIVE_NANOS = Duration.ofSeconds(5).toNanos();

  private final Vertx vertx;
  private final ApiKeyCache cache;
  private final PgSubscriber subscriber;
  private long timerId = -1;
  // Heartbeat state, guarded by this.
  private PgConnection current;
  private long era;
  private long pingSentAt;
  private boolean pinging;
  private boolean warnedNotListening;

  RevocationListener(Vertx vertx, PgConnectOptions options, ApiKeyCache cache) {
    this.vertx = vertx;
    this.cache = cache;
    // 100 ms, 200 ms, ... then every 5 s, forever: the cache is bypassed until it is back.
    this.subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(attempt -> Math.min(5000L, 100L << Math.min(attempt, 6)));
  }

  Future<Void> start() {
    subscriber.channel(Sql.API_KEY_REVOKED_CHANNEL).handler(this::onRevoked);
    timerId = vertx.setPeriodic(PING_INTERVAL_MS, id -> heartbeat());
    return subscriber.connect().onSuccess(v -> heartbeat());
  }

  Future<Void> stop() {
    vertx.cancelTimer(timerId);
    return subscriber.close();
  }

  private void onRevoked(String payload) {
    UUID keyId;
    try {
      keyId = UUID.fromString(payload);
    } catch (IllegalArgumentException e) {
      LOG.warn("unreadable api key revocation '{}'; emptying the api key cache", payload);
      cache.evictAll();
      return;
    }
    cache.evict(keyId);
    LOG.info("api key {} revoked; evicted from the cache", keyId);
  }

  private synchronized void heartbeat() {
    // The subscriber sends LISTEN before it exposes a new connection, so a ping on it is
    // answered only after the LISTEN is in force.
    PgConnection conn = subscriber.actualConnection();
    if (conn == null) {
      if (current != null) {
        current = null;
        era = cache.forgetAll();
        LOG.warn("api key revocation channel lost; keys are looked up in the database until it is back");
      }
      return;
    }
    if (conn != current) {
      current = conn;
      era = cache.forgetAll();
      pinging = false;
      LOG.info("listening for api key revocations on a new connection; api key cache emptied");
    }
    long now = System.nanoTime();
    if (pinging) {
      if (now - pingSentAt > UNRESPONSIVE_NANOS) {
        LOG.warn("api key revocation channel unresponsive; reconnecting");
        conn.close();
      }
      return;
    }
    pinging = true;
    pingSentAt = now;
    long pingEra = era;
    conn.query(Sql.LISTENING).execute()
        .onComplete(ar -> answered(conn, pingEra, now, ar.succeeded(),
            ar.succeeded() && ar.result().rowCount() == 1));
  }

  private synchronized void answered(PgConnection conn, long pingEra, long sentAt, boolean ok,
      boolean listening) {
    if (conn == current) {
      pinging = false;
    }
    if (listening) {
      cache.confirm(pingEra, sentAt);
    } else if (ok && !warnedNotListening) {
      warnedNotListening = true;
      LOG.error("api key revocation channel answers from a session that does not listen (a pooler in "
          + "transaction mode?); api keys are looked up in the database on every request");
    }
  }
}
