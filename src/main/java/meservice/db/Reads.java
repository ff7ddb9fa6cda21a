package meservice.db;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;

/**
 * Where one event loop's reads go: the primary's pipelined connections, or, with
 * {@code DATABASE_READ_URL}, a standby's, falling back to the primary's when the standby does not
 * answer. A standby that failed is left alone for a while (1 s, doubling to 8 s, then tried
 * again), so that while it is down reads do not each wait for it first. Through a failure of the
 * primary, reads keep being answered by the standby.
 */
public final class Reads {

  /**
   * How long a read waits for the standby before it asks the primary: a lookup by primary key
   * answers in milliseconds, and a standby that is stuck would otherwise hold the read until the
   * socket's read deadline.
   */
  static final long STANDBY_WAIT_MS = 1_000;
  private static final long FIRST_PAUSE_MS = 1_000;
  private static final long MAX_PAUSE_MS = 8_000;

  private final SqlClient primary;
  /** {@code null}: no standby configured. */
  private final SqlClient standby;
  private final Counter fallbacks;
  private volatile long standbyPausedUntilNanos;
  private volatile int standbyFailuresInARow;

  Reads(SqlClient primary, SqlClient standby, Counter fallbacks) {
    this.primary = primary;
    this.standby = standby;
    this.fallbacks = fallbacks;
  }

  /** Reads from {@code client} alone (tests, and the commands, which have no standby). */
  public static Reads from(SqlClient client) {
    return new Reads(client, null, null);
  }

  /** A statement whose executions go where this loop's reads go. */
  public Statement statement(String sql) {
    return new Statement(primary.preparedQuery(sql), standby == null ? null : standby.preparedQuery(sql));
  }

  public final class Statement {

    private final PreparedQuery<RowSet<Row>> onPrimary;
    private final PreparedQuery<RowSet<Row>> onStandby;

    private Statement(PreparedQuery<RowSet<Row>> onPrimary, PreparedQuery<RowSet<Row>> onStandby) {
      this.onPrimary = onPrimary;
      this.onStandby = onStandby;
    }

    public Future<RowSet<Row>> execute(Tuple params) {
      if (onStandby == null || standbyPausedUntilNanos - System.nanoTime() > 0) {
        return onPrimary.execute(params);
      }
      return onStandby.execute(params)
          .timeout(STANDBY_WAIT_MS, TimeUnit.MILLISECONDS)
          .andThen(ar -> {
            if (ar.succeeded()) {
              standbyAnswered();
            }
          })
          .recover(err -> {
            if (!standbyCannotAnswer(err)) {
              return Future.failedFuture(err);
            }
            standbyFailed();
            fallbacks.increment();
            return onPrimary.execute(params);
          });
    }
  }

  /**
   * An outage of the standby, or a read it cancelled because replaying the primary's changes
   * needed its rows (40001 on a standby: a conflict with recovery): the primary can answer.
   */
  private static boolean standbyCannotAnswer(Throwable err) {
    return DatabaseFailure.isOutage(err) || err instanceof PgException pg && "40001".equals(pg.getSqlState());
  }

  private void standbyFailed() {
    int inARow = ++standbyFailuresInARow;
    long pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS << Math.min(inARow - 1, 3));
    standbyPausedUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
  }

  private void standbyAnswered() {
    if (standbyFailuresInARow != 0) {
      standbyFailuresInARow = 0;
    }
  }
}
