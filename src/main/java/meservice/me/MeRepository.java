package meservice.me;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import meservice.auth.Ids;
import meservice.db.Sql;

/** Reads and writes users' stored state. One statement, one round trip, per call. */
public final class MeRepository {

  private final PreparedQuery<RowSet<Row>> find;
  private final PreparedQuery<RowSet<Row>> patch;
  private final PreparedQuery<RowSet<Row>> setStaff;
  private final long deadlineMillis;
  /** {@code null} when created off an event loop: each read is then its own statement. */
  private final ReadBatches batches;

  private MeRepository(SqlClient reads, SqlClient writes, long deadlineMillis, Context loop) {
    this.find = reads.preparedQuery(Sql.FIND_USER);
    this.patch = writes.preparedQuery(Sql.PATCH_PREFERENCES);
    this.setStaff = writes.preparedQuery(Sql.SET_STAFF);
    this.deadlineMillis = deadlineMillis;
    this.batches = loop == null ? null
        : new ReadBatches(loop, find, reads.preparedQuery(Sql.FIND_USERS), this::bounded);
  }

  public static MeRepository create(Pool pool) {
    return new MeRepository(pool, pool, 0, null);
  }

  /**
   * Reads on {@code reads} (the service passes its pipelined client), writes on {@code writes};
   * each call fails with a {@link java.util.concurrent.TimeoutException} after
   * {@code deadlineMillis} ({@code 0}: never), whatever it is waiting for. Created on an event
   * loop (a verticle's {@code start}), the reads asked for on that loop are batched
   * ({@link ReadBatches}).
   */
  public static MeRepository create(SqlClient reads, SqlClient writes, long deadlineMillis) {
    Context context = Vertx.currentContext();
    return new MeRepository(reads, writes, deadlineMillis,
        context != null && context.isEventLoopContext() ? context : null);
  }

  public Future<StoredUser> find(UUID userId) {
    if (batches != null && batches.onLoop()) {
      return batches.find(userId);
    }
    return bounded(find.execute(Tuple.of(userId))).map(MeRepository::single);
  }

  /**
   * Creates the row on first write; merges {@code patch} into the stored preferences when the
   * stored version is one of {@code expectedVersions} ({@code null}: any). Completes with
   * {@code null}, having written nothing, when it is not.
   */
  public Future<StoredUser> patch(UUID userId, String clerkUserId, PreferencesPatch patch,
      List<Long> expectedVersions) {
    Tuple params = Tuple.of(userId, clerkUserId, patch.set(), patch.clear().toArray(String[]::new),
        expectedVersions == null ? null : expectedVersions.toArray(Long[]::new));
    return bounded(this.patch.execute(params)).map(rows -> rows.size() == 0 ? null : single(rows));
  }

  private <T> Future<T> bounded(Future<T> call) {
    return deadlineMillis == 0 ? call : call.timeout(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  public Future<Void> setStaff(String clerkUserId, boolean staff) {
    return setStaff.execute(Tuple.of(Ids.userId(clerkUserId), clerkUserId, staff)).mapEmpty();
  }

  static StoredUser single(RowSet<Row> rows) {
    return rows.size() == 0 ? StoredUser.NEVER_WRITTEN : stored(rows.iterator().next(), 0);
  }

  /** The columns of {@code Sql.FIND_USER} and {@code PATCH_PREFERENCES}, from {@code first} on. */
  static StoredUser stored(Row row, int first) {
    return new StoredUser(row.getJsonObject(first), row.getBoolean(first + 1), row.getLong(first + 2));
  }
}
