package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import meservice.config.AppConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's one listening connection, on the primary, for every channel the service keeps a
 * cache by (API-key revocations, changed user rows): each {@link Channel} is told what is announced
 * on it, and when it may trust what it holds.
 *
 * <p>A notification sent while the connection was down is lost, and a half-open connection
 * delivers nothing without failing. So a heartbeat pings the connection several times a second:
 * each answer confirms every channel (a cache serves entries only while a confirmation is fresh,
 * {@link ChannelTrust}), and a new connection starts a new era in which everything held before
 * is forgotten. The ping confirms only if the session answering listens on every channel: behind
 * a pooler that lends sessions per transaction, a LISTEN and the pings that follow may each run
 * on a different session, and an answer alone would vouch for a channel that hears nothing. A
 * connection that stops answering (the database went silent without closing it) reads nothing
 * for {@link #SILENCE_MS} and its socket closes it; so does an attempt whose handshake is never
 * answered. Closing it by the client API alone would not do: the close waits behind the ping that
 * never returns. Over a failover the connection is lost, and new ones are tried until one reaches
 * the primary: a standby refuses LISTEN during recovery.
 */
public final class ChangeListener {

  /** One channel: its name, and what to do with what is heard on it. Called on an event loop. */
  public interface Channel {
    String name();

    /** A new era: what was announced before now may have been missed. Trust nothing held so far. */
    void reset(long era);

    /** The listening session of {@code era} answered a ping sent at {@code sentAt} ({@link System#nanoTime()}). */
    void confirmed(long era, long sentAt);

    void notified(String payload);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
  /** How the listening connection shows in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "me-service-listener";
  static final long PING_INTERVAL_MS = 200;
  /** Many ping intervals: only a connection that stopped answering reads nothing for so long. */
  static final int SILENCE_MS = 5_000;
  private static final long MAX_RECONNECT_DELAY_MS = 1_000;

  private final Vertx vertx;
  private final Pool connection;
  private final List<Channel> channels = new ArrayList<>();
  /** Completed by the first heartbeat answered: from then on the caches may be trusted. */
  private final Promise<Void> firstAnswer = Promise.promise();
  private String listen;
  private String listening;
  private long timerId = -1;
  // Guarded by this.
  private PgConnection current;
  private long era;
  private boolean pinging;
  private int failedAttempts;
  private boolean stopped;
  private boolean warnedNotListening;

  public ChangeListener(Vertx vertx, AppConfig.Database database, PrimaryOnly primary) {
    this.vertx = vertx;
    PgConnectOptions options = Database.connectOptions(database.sessionUrl())
        .addProperty("application_name", APPLICATION_NAME);
    // Its LISTEN and the pings every 200 ms belong to no request: never a span (docs/tracing.md).
    options.setTracingPolicy(TracingPolicy.IGNORE);
    this.connection = Database.dedicatedToPrimary(vertx, options, database.limits(), SILENCE_MS, APPLICATION_NAME, primary);
  }

  /** Before {@link #start}. */
  public void add(Channel channel) {
    channels.add(channel);
  }

  /**
   * Completes when the first connection listens and has answered a heartbeat (so the caches are
   * trusted from the first request); fails if it cannot listen (start-up fails with it).
   */
  public Future<Void> start() {
    List<String> names = channels.stream().map(Channel::name).toList();
    listen = Sql.listen(names);
    listening = Sql.listening(names);
    timerId = vertx.setPeriodic(PING_INTERVAL_MS, id -> heartbeat());
    return listen().compose(v -> firstAnswer.future());
  }

  public Future<Void> stop() {
    PgConnection conn;
    synchronized (this) {
      stopped = true;
      conn = current;
      current = null;
    }
    vertx.cancelTimer(timerId);
    Future<Void> released = conn == null ? Future.succeededFuture() : conn.close();
    return released.eventually(() -> Database.close(connection));
  }

  /** 100 ms, 200 ms, ... then every second, forever: the caches are bypassed until it is back. */
  private Future<Void> listen() {
    return connection.getConnection()
        .map(PgConnection::cast)
        .compose(conn -> {
          conn.notificationHandler(this::onNotification);
          conn.closeHandler(v -> lost(conn));
          // The loss itself is handled (and logged) by the close handler that follows.
          conn.exceptionHandler(err -> LOG.debug("listening connection: {}", err.toString()));
          // Closed, not handed back to its pool: the next attempt must open a new connection.
          return conn.query(listen).execute()
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
    newEra();
    pinging = false;
    failedAttempts = 0;
    LOG.info("LISTEN {} on a new connection; what the caches held was forgotten", names());
    heartbeat();
  }

  private synchronized void lost(PgConnection conn) {
    if (conn != current) {
      return;
    }
    current = null;
    newEra();
    LOG.warn("listening connection lost; the caches of {} are bypassed until it is back", names());
    reconnectLater();
  }

  private synchronized void retry(Throwable err) {
    LOG.warn("cannot listen on {} ({}); retrying", names(), err.toString());
    reconnectLater();
  }

  private void newEra() {
    era++;
    for (Channel channel : channels) {
      channel.reset(era);
    }
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
    for (Channel channel : channels) {
      if (channel.name().equals(notification.getChannel())) {
        channel.notified(notification.getPayload());
      }
    }
  }

  private synchronized void heartbeat() {
    PgConnection conn = current;
    if (conn == null || pinging) {
      return;
    }
    pinging = true;
    long sentAt = System.nanoTime();
    long pingEra = era;
    conn.query(listening).execute()
        .onComplete(ar -> answered(conn, pingEra, sentAt, ar.succeeded(),
            ar.succeeded() && ar.result().rowCount() == 1));
  }

  private synchronized void answered(PgConnection conn, long pingEra, long sentAt, boolean ok,
      boolean listening) {
    if (conn == current) {
      pinging = false;
    }
    firstAnswer.tryComplete();
    if (listening) {
      for (Channel channel : channels) {
        channel.confirmed(pingEra, sentAt);
      }
    } else if (ok && !warnedNotListening) {
      warnedNotListening = true;
      LOG.error("the listening connection answers from a session that does not listen (a pooler in "
          + "transaction mode?); what {} announce is looked up in the database on every request", names());
    }
  }

  private String names() {
    return String.join(", ", channels.stream().map(Channel::name).toList());
  }
}
