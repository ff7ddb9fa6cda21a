package meservice.db;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What a failed database call means for the caller (an outage to answer 503, or a bug) and for the
 * connection it ran on (fit to reuse, or on a server that cannot take writes). Decided by the
 * failure's type and SQLSTATE; only the SQL client's own pool and connection failures, which it
 * raises as a bare {@link VertxException}, are known by their fixed text (vertx-sql-client 5.0.10,
 * {@code SocketConnectionBase} and {@code SqlConnectionPool}), each produced by a fault suite in
 * {@code src/test/java/meservice/reliability}.
 */
public final class DatabaseFailure {

  /**
   * The client's untyped failures of a connection or of the wait for one: used before it was open
   * or after it closed under pending statements (a backend killed, PgBouncer dropping its server
   * connection), and no connection within the pool's wait ("Timeout" alone when the wait was for
   * a lease, {@code SqlConnectionPool.acquire}).
   */
  private static final Set<String> CLIENT_OUTAGE_PREFIXES = Set.of(
      "Connection is not active now",
      "Pending requests failed to be sent due to connection has been closed",
      "Timeout waiting for connection");
  private static final String LEASE_TIMEOUT = "Timeout";

  private DatabaseFailure() {}

  /**
   * A database that cannot be reached, is saturated, too slow, shutting down, starting up or not
   * (or no longer) the primary, as opposed to a statement that is wrong: answered 503 with
   * {@code Retry-After}, never 500.
   */
  public static boolean isOutage(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (isOutageItself(cause)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOutageItself(Throwable failure) {
    if (failure instanceof PgException pg) {
      return isOutageState(pg.getSqlState());
    }
    return failure instanceof IOException // refused, reset, broken pipe, unresolvable host
        || failure instanceof ClosedConnectionException
        || failure instanceof TimeoutException // a call's own deadline
        || failure instanceof ConnectionPoolTooBusyException // the wait queue is full
        || failure == NetSocketInternal.CLOSED_EXCEPTION // closed while it was being opened
        || (failure instanceof VertxException && isClientOutageText(failure.getMessage()));
  }

  /**
   * Class 08 (connection exception); 57P01-57P03 (terminated by an administrator, crash shutdown,
   * cannot connect now: a server shutting down or starting up); 57014 (statement timeout); 53300
   * (too many connections); 25006 (read-only transaction: a standby, or a primary made read-only);
   * 40001 from a standby is a statement cancelled by a conflict with recovery, but on a primary it
   * is a serialization failure of ours, so it is not listed.
   */
  static boolean isOutageState(String state) {
    return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
        || state.equals("57P03") || state.equals("57014") || state.equals("53300") || state.equals("25006"));
  }

  /**
   * The server this connection reaches does not take writes (SQLSTATE 25006: a standby, e.g. the
   * old primary after a failover, reached through an address that has not moved yet; or a LISTEN
   * "during recovery"). The connection must be closed, not reused: a pool keeps a busy connection
   * for as long as it is used, so it would fail every write until a restart.
   */
  public static boolean cannotWrite(Throwable failure) {
    return failure instanceof PgException pg && "25006".equals(pg.getSqlState());
  }

  private static boolean isClientOutageText(String message) {
    if (message == null) {
      return false;
    }
    if (message.equals(LEASE_TIMEOUT)) {
      return true;
    }
    for (String prefix : CLIENT_OUTAGE_PREFIXES) {
      if (message.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
