package meservice.apikey;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.PrimaryOnly;
import meservice.db.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link Sql#API_KEY_REVOKED_CHANNEL} on a connection of its own (reopened after a
 * loss) and evicts each revoked key from this instance's {@link ApiKeyCache}.
 *
 * <p>A notification sent while the connection was down is lost, and a half-open connection
 * delivers nothing without failing. So a heartbeat pings the connection several times a second:
 * each answer confirms the channel to the cache (which serves entries only while a confirmation
 * is fresh), and a new connection empties the cache. The ping confirms only if the session
 * answering is listening: behind a pooler that lends sessions per transaction, a LISTEN and the
 * pings that follow may each run on a different session, and an answer alone would vouch for a
 * channel that hears nothing. A connection that stops answering (the database went silent
 * without closing it) reads nothing for {@link #SILENCE_MS} and its socket closes it; so does an
 * attempt whose handshake is never answered. Closing it by the client API alone would not do:
 * the close waits behind the ping that never returns.
 */
public final class RevocationListener {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationListener.class);
  /** How the listening connection shows in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "me-service-revocations";
  static final long PING_INTERVAL_MS = 200;
  /** Many ping intervals: only a connection that stopped answering reads nothing for so long. */
  static final int SILENCE_MS = 5_000;
  private static final long MAX_RECONNECT_DELAY_MS = 1_000;

  private final Vertx vertx;
  private final ApiKeyCache cache;
  private final Pool connection;
  private long timerId = -1;
  // Guarded by this.
  private PgConnection current;
  private long era;
  private boolean pinging;
  private int failedAttempts;
  private boolean stopped;
  private boolean warnedNotListening;

  RevocationListener(Vertx vertx, PgConnectOptions options, AppConfig.DatabaseLimits limits, ApiKeyCache cache,
      PrimaryOnly primary) {
    this.vertx = vertx;
    this.cache = cache;
    this.connection = Database.dedicatedToPrimary(vertx, options, limits, SILENCE_MS, APPLICATION_NAME, primary);
  }

  /** Completes when the first connection listens; fails if it cannot (start-up fails with it). */
  Future<Void> start() {
    timerId = vertx.setPeriodic(PING_INTERVAL_MS, id -> heartbeat());
    return listen();
  }

  Future<Void> stop() {
    PgConnection conn;
    synchronized (this) {
      stopped = true;
      conn = current;
      current = null;
    }
    vertx.cancelTimer(timerId);
    Future<Void> released = conn == null ? Future.succeededFuture() : conn.close();
    // Bounded: a pool whose wait for a connection once timed out never completes its close (5.0.7).
    return released.eventually(() -> Database.close(connection));
  }

  /**
   * 100 ms, 200 ms, ... then every second, forever: the cache is bypassed until it is back. A LISTEN
   * that reaches a standby (the old primary, over a failover) fails with 25006 and is retried the
   * same way until the address reaches the primary.
   */
  private Future<Void> listen() {
    return connection.getConnection()
        .map(PgConnection::cast)
        .compose(conn -> {
          conn.notificationHandler(this::onNotification);
          conn.closeHandler(v -> lost(conn));
          // The loss itself is handled (and logged) by the close handler that follows.
          conn.exceptionHandler(err -> LOG.debug("api key revocation channel: {}", err.toString()));
          // Closed, not handed back to its pool: the next attempt must open a new connection.
          return conn.query(Sql.LISTEN_API_KEY_REVOKED).execute()
              .onFailure(err -> PrimaryOnly.discard(conn))
              .map(conn);
        })
        .onSuccess(this::listening)
        .onFailure(this::retry)
        .mapEmpty();
  }

  private synchronized void listening(PgConnection conn) {
    if (stopped) {
      conn.close();
      return;
    }
    current = conn;
    era = cache.forgetAll();
    pinging = false;
    failedAttempts = 0;
    LOG.info("listening for api key revocations on a new connection; api key cache emptied");
    heartbeat();
  }

  private synchronized void lost(PgConnection conn) {
    if (conn != current) {
      return;
    }
    current = null;
    era = cache.forgetAll();
    LOG.warn("api key revocation channel lost; keys are looked up in the database until it is back");
    reconnectLater();
  }

  private synchronized void retry(Throwable err) {
    LOG.warn("api key revocation channel: cannot listen ({}); retrying", err.toString());
    reconnectLater();
  }

  private void reconnectLater() {
    if (stopped) {
      return;
    }
    long delay = Math.min(MAX_RECONNECT_DELAY_MS, 100L << Math.min(failedAttempts, 6));
    failedAttempts++;
    vertx.setTimer(delay, id -> listen());
  }

  private void onNotification(PgNotification notification) {
    if (!Sql.API_KEY_REVOKED_CHANNEL.equals(notification.getChannel())) {
      return;
    }
    String payload = notification.getPayload();
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
    PgConnection conn = current;
    if (conn == null || pinging) {
      return;
    }
    pinging = true;
    long sentAt = System.nanoTime();
    long pingEra = era;
    conn.query(Sql.LISTENING).execute()
        .onComplete(ar -> answered(conn, pingEra, sentAt, ar.succeeded(),
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
