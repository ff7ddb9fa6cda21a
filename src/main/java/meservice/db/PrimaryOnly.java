package meservice.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the connections that must reach the primary (writes; reads, when there is no standby to
 * read from; API-key lookups) off a server that does not take writes, as libpq's
 * {@code target_session_attrs=read-write} does. Over a failover the address in the URL can reach a
 * standby for a while: a DNS answer still cached, a virtual IP that moves late, the old primary
 * back as a standby of the new one. A connection opened there would serve reads that lag behind
 * acknowledged writes and fail every write; a pool never retires a connection that is kept busy,
 * so it would do so until a restart.
 *
 * <p>While read-only servers are being found, new connections back off (25 ms, doubling to 500 ms)
 * so that a standby is not sent a connection per request. Shared by every pool of the instance.
 */
public final class PrimaryOnly {

  private static final Logger LOG = LoggerFactory.getLogger(PrimaryOnly.class);
  /** Reported by a standby, and by a primary an operator made read-only. */
  private static final String READ_ONLY = "on";
  private static final long FIRST_BACKOFF_MS = 25;
  private static final long MAX_BACKOFF_MS = 500;

  private final Counter closed;
  private volatile long backoffUntilNanos;
  private volatile int readOnlyInARow;

  public PrimaryOnly(MeterRegistry registry) {
    this.closed = Counter.builder("db.connections.read.only")
        .description("Connections closed because their server did not take writes (a standby, during a failover)")
        .register(registry);
  }

  /**
   * A pool's connect handler: runs {@code setup} (session settings, may be empty) and asks the
   * server whether it takes writes, in one round trip. A read-only server's connection is closed
   * before it serves anything, so the pool fails that connect; a writable one goes to the pool.
   */
  Handler<SqlConnection> connectHandler(String setup) {
    String statements = setup + Sql.TRANSACTION_READ_ONLY;
    return conn -> conn.query(statements).execute().onComplete(ar -> {
      if (ar.succeeded() && READ_ONLY.equals(last(ar.result()).iterator().next().getString(0))) {
        readOnlyFound();
        discard(conn);
        return;
      }
      if (ar.succeeded()) {
        primaryFound();
      }
      // A failed setup leaves a broken connection, which the pool drops as it closes.
      conn.close();
    });
  }

  /** How long a new connection should wait before it is tried: 0 unless read-only servers are being found. */
  long backoffNanos() {
    return backoffUntilNanos - System.nanoTime();
  }

  /** A connection turned out to be on a read-only server (at connect, or by a write's 25006). */
  void readOnlyFound() {
    closed.increment();
    int inARow = ++readOnlyInARow;
    backoffUntilNanos = System.nanoTime()
        + TimeUnit.MILLISECONDS.toNanos(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(inARow - 1, 5)));
    if (inARow == 1) {
      LOG.warn("the database server reached as the primary does not take writes (a standby: a failover?); "
          + "its connections are closed and new ones are opened until the primary answers");
    }
  }

  private void primaryFound() {
    if (readOnlyInARow != 0) {
      readOnlyInARow = 0;
      backoffUntilNanos = 0;
      LOG.info("the database server reached as the primary takes writes again");
    }
  }

  /**
   * Closes the connection itself, not only this lease of it: {@link SqlConnection#close()} on a
   * pooled connection hands it back to the pool for the next request. The client has no public
   * call for this, so it goes through the client's internal connection (vertx-sql-client 5.0.10);
   * the pool sees the socket close and forgets the connection.
   */
  public static void discard(SqlConnection conn) {
    ((SqlConnectionInternal) conn).unwrap().unwrap().close(null, Promise.promise());
  }

  /** The result of the last statement of a multi-statement simple query. */
  private static RowSet<Row> last(RowSet<Row> rows) {
    RowSet<Row> last = rows;
    while (last.next() != null) {
      last = last.next();
    }
    return last;
  }
}
