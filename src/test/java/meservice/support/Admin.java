package meservice.support;

import static meservice.support.Futures.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import meservice.db.Database;
import meservice.identity.Ids;

/** A connection of the test's own, beside the service's pool: an operator at a psql prompt. */
public final class Admin implements AutoCloseable {

  private final PgConnection connection;

  private Admin(PgConnection connection) {
    this.connection = connection;
  }

  public static Admin connect(Vertx vertx, String databaseUrl) {
    return new Admin(await(PgConnection.connect(vertx, Database.connectOptions(databaseUrl))));
  }

  public RowSet<Row> query(String sql, Object... params) {
    return await(connection.preparedQuery(sql).execute(Tuple.from(params)));
  }

  public Future<Transaction> begin() {
    return connection.begin();
  }

  /** BEGIN; SELECT ... FOR UPDATE on the user's row: every write of it waits until the returned transaction ends. */
  public Transaction lockUser(String clerkUserId) {
    Transaction transaction = await(begin());
    if (query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", Ids.userId(clerkUserId)).size() != 1) {
      throw new AssertionError("no row to lock for " + clerkUserId);
    }
    return transaction;
  }

  /** The stored timezone and version of a user, read from the database itself. */
  public Row user(String clerkUserId) {
    RowSet<Row> rows = query("SELECT preferences->>'timezone' AS timezone, version FROM users WHERE id = $1",
        Ids.userId(clerkUserId));
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  /** Polls, bounded, until {@code count} sessions wait on a lock. */
  public void awaitLockWaiters(int count) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      // Inside a transaction pg_stat_activity is a snapshot taken at its first read; drop it each time.
      query("SELECT pg_stat_clear_snapshot()");
      long waiting = query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
          .iterator().next().getLong(0);
      if (waiting >= count) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("nothing came to wait on the lock");
  }

  @Override
  public void close() {
    await(connection.close());
  }
}
