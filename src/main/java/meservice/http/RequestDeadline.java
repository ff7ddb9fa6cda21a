package meservice.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Every connection must deliver each whole request (headers and body) within a deadline: the
 * headers within it of the connection opening or of the previous response ending, the body and the
 * handling within it of the request's start. The idle timeout alone restarts on every byte, so a
 * client dribbling a byte a second (slowloris) would hold its connection forever. The deadline
 * stops while the answer is written.
 *
 * <p>Cheap per request: a request only stamps its connection's entry (no timer is set or
 * cancelled, no handler registered); one periodic check per event loop, every quarter of the
 * deadline (at most a second), closes the connections past it. So a connection is closed between
 * the deadline and a quarter of it later. One instance per verticle, created in its {@code start}:
 * a connection and its requests live on that verticle's event loop, so no locking, and the
 * periodic check ends with the verticle.
 */
public final class RequestDeadline implements Handler<RoutingContext> {

  private final long deadlineNanos;
  /** Nanoseconds, as {@link System#nanoTime()} counts them. */
  private final LongSupplier clock;
  private final Map<HttpConnection, Phase> connections = new HashMap<>();

  /** Where a connection is: since when it has been waiting for a request's bytes, or answering. */
  private static final class Phase {
    long since;
    /** The current request's response; {@code null} between requests. */
    HttpServerResponse response;

    Phase(long since) {
      this.since = since;
    }
  }

  public RequestDeadline(Vertx vertx, long deadlineMillis) {
    this(vertx, deadlineMillis, System::nanoTime);
  }

  RequestDeadline(Vertx vertx, long deadlineMillis, LongSupplier clock) {
    this.deadlineNanos = deadlineMillis * 1_000_000L;
    this.clock = clock;
    long every = Math.max(10, Math.min(1000, deadlineMillis / 4));
    vertx.setPeriodic(every, every, id -> closeOverdue(clock.getAsLong()));
  }

  /** For {@code HttpServer.connectionHandler}. */
  public void opened(HttpConnection connection) {
    connections.put(connection, new Phase(clock.getAsLong()));
    connection.closeHandler(v -> connections.remove(connection));
  }

  /** First router handler: the request's own deadline starts now. */
  @Override
  public void handle(RoutingContext rc) {
    Phase phase = connections.get(rc.request().connection());
    if (phase != null) {
      phase.since = clock.getAsLong();
      phase.response = rc.response();
    }
    rc.next();
  }

  void closeOverdue(long now) {
    for (Iterator<Map.Entry<HttpConnection, Phase>> it = connections.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Phase> entry = it.next();
      Phase phase = entry.getValue();
      HttpServerResponse response = phase.response;
      if (response != null) {
        if (response.ended()) {
          // Seen ended now: the next request's headers get the deadline from here.
          phase.response = null;
          phase.since = now;
          continue;
        }
        if (response.headWritten()) {
          continue;
        }
      }
      if (now - phase.since > deadlineNanos) {
        it.remove();
        entry.getKey().close();
      }
    }
  }
}
