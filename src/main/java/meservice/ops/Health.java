package meservice.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * {@code SELECT 1} within a second, the instance's other conditions hold, e.g. signing keys are
 * loaded, and it is not shutting down).
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  private static final long READY_TIMEOUT_MILLIS = 1_000;

  private final Pool pool;
  private final BooleanSupplier keysLoaded;
  private volatile boolean shuttingDown;

  /** @param keysLoaded whether tokens can be verified yet (a JWKS may not have loaded) */
  public Health(Pool pool, BooleanSupplier keysLoaded) {
    this.pool = pool;
    this.keysLoaded = keysLoaded;
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
    if (!keysLoaded.getAsBoolean()) {
      LOG.atWarn().addKeyValue("request_id", RequestId.of(rc)).log("not ready: no signing keys loaded yet");
      Envelope.error(rc, ApiError.of(ErrorCode.UNAVAILABLE, "signing keys not loaded"));
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
