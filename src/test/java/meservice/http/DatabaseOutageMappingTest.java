package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every failure the pg client raised in the reliability suite maps to 503 UNAVAILABLE; a query
 * that is wrong stays a 500. Some of these happen only in races (a connection closed between
 * lease and use), so they are pinned here as well as exercised there.
 */
@Tag("unit")
class DatabaseOutageMappingTest {

  @Test
  void everyOutageSeenInTheFaultSuitesIs503() {
    List<Throwable> outages = List.of(
        new ConnectException("Connection refused: localhost/127.0.0.1:5432"),
        new SocketException("Connection reset"),
        new java.io.IOException("Broken pipe"),
        ClosedConnectionException.INSTANCE,
        VertxException.noStackTrace("Connection is not active now, current status: CLOSED"),
        new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
        new PgException("the database system is shutting down", "FATAL", "57P03", null),
        new PgException("the database system is starting up", "FATAL", "57P03", null),
        new PgException("canceling statement due to statement timeout", "ERROR", "57014", null),
        new PgException("sorry, too many clients already", "FATAL", "53300", null),
        // A standby (the old primary after a failover, before the address moves).
        new PgException("cannot execute INSERT in a read-only transaction", "ERROR", "25006", null),
        new PgException("cannot execute LISTEN during recovery", "ERROR", "25006", null),
        new PgException("terminating connection due to crash of another server process", "FATAL", "57P02", null),
        // Queued reads on a connection PgBouncer closed (transaction mode, backends terminated).
        VertxException.noStackTrace("Pending requests failed to be sent due to connection has been closed."),
        new VertxException("Pending requests failed to be sent due to connection has been closed.",
            new java.io.IOException("Connection reset by peer")),
        // A connection closed while the pool was opening it (a standby refused as a write connection).
        io.vertx.core.internal.net.NetSocketInternal.CLOSED_EXCEPTION,
        new ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 4"),
        new VertxException("Timeout waiting for connection", true),
        VertxException.noStackTrace("Timeout"),
        // A request's database call past its deadline (HungDatabaseTest): what Future.timeout fails with.
        Promise.promise().future().timeout(1, TimeUnit.MILLISECONDS).toCompletionStage().handle((v, e) -> e)
            .toCompletableFuture().join());
    for (Throwable outage : outages) {
      assertEquals(ErrorCode.UNAVAILABLE, ErrorMapper.map(outage, 500).code, outage.toString());
    }
  }

  @Test
  void aWrongQueryIsABugNotAnOutage() {
    assertEquals(ErrorCode.INTERNAL,
        ErrorMapper.map(new PgException("syntax error at or near \"SELEC\"", "ERROR", "42601", null), 500).code);
    assertEquals(ErrorCode.INTERNAL,
        ErrorMapper.map(new PgException("duplicate key value violates unique constraint", "ERROR", "23505", null), 500).code);
    assertEquals(ErrorCode.INTERNAL, ErrorMapper.map(new IllegalStateException("bug"), 500).code);
  }

  @Test
  void onlyTheClientsOwnFailuresAreKnownByTheirText() {
    assertEquals(ErrorCode.INTERNAL,
        ErrorMapper.map(new IllegalStateException("Timeout waiting for connection"), 500).code);
    assertEquals(ErrorCode.INTERNAL,
        ErrorMapper.map(new VertxException("The number of parameters (3) exceeds the maximum", true), 500).code);
    assertEquals(ErrorCode.INTERNAL,
        ErrorMapper.map(new PgException("could not serialize access", "ERROR", "40001", null), 500).code);
  }
}
