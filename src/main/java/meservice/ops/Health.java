package meservice.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import meservice.db.Sql;
import meservice.http.ApiError;
import meservice.http.Envelope;
import meservice.http.ErrorCode;
import meservice.http.RequestId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health/live} (the process answers; never touches the database, so a database outage
 * does not get every instance restarted) and {@code /health/ready} (the database answers a
 * {@code SELECT 1} within a second, and the instance is not shutting down).
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  private static final long READY_TIMEOUT_MILLIS = 1_000;

  private final Pool pool;
  private volatile boolean shuttingDown;

  public Health(Pool pool) {
    this.pool = pool;
  }

  /** From now on readiness answers 503, so load balancers stop sending new work here. */
  public void beginShutdown() {
    shuttingDown = true;
  }

  public void live(RoutingContext rc) {
    Envelope.ok(rc, new JsonObject().put("status", "live"));
  }

  public void ready(RoutingContext rc) {
    if (shuttingDown) {
      Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, "shutting down"));
      return;
    }
    pool.query(Sql.PING).execute()
        .timeout(READY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            Envelope.ok(rc, new JsonObject().put("status", "ready"));
          } else {
            LOG.atWarn().addKeyValue("request_id", RequestId.of(rc))
                .log("not ready: database did not answer: {}", ar.cause().toString());
            Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, "database unavailable"));
          }
        });
  }
}
