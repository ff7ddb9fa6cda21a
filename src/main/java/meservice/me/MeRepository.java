package meservice.me;

import io.vertx.core.Future;
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

  private MeRepository(SqlClient reads, SqlClient writes, long deadlineMillis) {
    this.find = reads.preparedQuery(Sql.FIND_USER);
    this.patch = writes.preparedQuery(Sql.PATCH_PREFERENCES);
    this.setStaff = writes.preparedQuery(Sql.SET_STAFF);
    this.deadlineMillis = deadlineMillis;
  }

  public static MeRepository create(Pool pool) {
    return new MeRepository(pool, pool, 0);
  }

  /**
   * Reads on {@code reads} (the service passes its pipelined client), writes on {@code writes};
   * each call fails with a {@link java.util.concurrent.TimeoutException} after
   * {@code deadlineMillis} ({@code 0}: never), whatever it is waiting for.
   */
  public static MeRepository create(SqlClient reads, SqlClient writes, long deadlineMillis) {
    return new MeRepository(reads, writes, deadlineMillis);
  }

  public Future<StoredUser> find(UUID userId) {
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

  private static StoredUser single(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return StoredUser.NEVER_WRITTEN;
    }
    Row row = rows.iterator().next();
    return new StoredUser(row.getJsonObject(0), row.getBoolean(1), row.getLong(2));
  }
}
