package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The pool every write goes through, kept on the primary across a switchover or failover
 * ({@link PrimaryOnly}). A connection the pool could not open because its server was read-only
 * failed before anything of the request was sent: the request waits for the next one, for as long
 * as its database deadline allows. A connection whose write fails with SQLSTATE 25006 is closed
 * instead of going back to the pool. Either way the request is answered 503 with
 * {@code Retry-After} if no primary answers in time.
 */
public final class WritePool {

  private final Vertx vertx;
  private final Pool pool;
  private final PrimaryOnly primary;
  private final long retryNanos;

  WritePool(Vertx vertx, Pool pool, PrimaryOnly primary, long retryMillis) {
    this.vertx = vertx;
    this.pool = pool;
    this.primary = primary;
    this.retryNanos = TimeUnit.MILLISECONDS.toNanos(retryMillis);
  }

  /** One statement on a connection to the primary. */
  public Future<RowSet<Row>> execute(String sql, Tuple params) {
    return withConnection(conn -> conn.preparedQuery(sql).execute(params));
  }

  /**
   * {@code work} on one connection to the primary; the connection goes back to the pool
   * afterwards, or is closed if its server turned out not to take writes.
   */
  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> work) {
    return connection(System.nanoTime()).compose(conn -> work.apply(conn).andThen(ar -> {
      if (ar.failed() && DatabaseFailure.cannotWrite(ar.cause())) {
        primary.readOnlyFound();
        PrimaryOnly.discard(conn);
      } else {
        conn.close();
      }
    }));
  }

  /** The pool itself, for start-up checks of the server's settings. */
  public Pool pool() {
    return pool;
  }

  public Future<Void> close() {
    return Database.close(pool);
  }

  /**
   * A connection that closed while the pool was opening it (the connect handler closes a read-only
   * server's) is tried again after the back-off, within the deadline.
   */
  private Future<SqlConnection> connection(long startedAt) {
    long wait = primary.backoffNanos();
    Future<SqlConnection> attempt = wait > 0
        ? vertx.timer(wait, TimeUnit.NANOSECONDS).compose(v -> pool.getConnection())
        : pool.getConnection();
    return attempt.recover(err -> err == NetSocketInternal.CLOSED_EXCEPTION
        && System.nanoTime() - startedAt < retryNanos
        ? connection(startedAt)
        : Future.failedFuture(err));
  }
}
