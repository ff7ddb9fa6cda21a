package meservice.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Every connection must deliver a whole request (headers and body) within a deadline of being
 * opened or of its previous response. The idle timeout alone restarts on every byte, so a client
 * dribbling a byte a second (slowloris) would hold its connection forever. One instance per
 * verticle: a connection and its requests live on that verticle's event loop, so no locking.
 */
public final class RequestDeadline implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final long deadlineMillis;
  private final Map<HttpConnection, Long> timers = new HashMap<>();

  public RequestDeadline(Vertx vertx, long deadlineMillis) {
    this.vertx = vertx;
    this.deadlineMillis = deadlineMillis;
  }

  /** For {@code HttpServer.connectionHandler}. */
  public void opened(HttpConnection connection) {
    connection.closeHandler(v -> disarm(connection));
    arm(connection);
  }

  /** First router handler: the deadline stops while the answer is written, and restarts after. */
  @Override
  public void handle(RoutingContext rc) {
    HttpConnection connection = rc.request().connection();
    rc.addHeadersEndHandler(v -> disarm(connection));
    rc.addEndHandler(v -> arm(connection));
    rc.next();
  }

  private void arm(HttpConnection connection) {
    disarm(connection);
    timers.put(connection, vertx.setTimer(deadlineMillis, id -> {
      timers.remove(connection);
      connection.close();
    }));
  }

  private void disarm(HttpConnection connection) {
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
