package meservice.me;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import meservice.db.Reads;
import meservice.db.WritePool;
import meservice.identity.Ids;

/**
 * Reads and writes users' stored state: reads gathered per event-loop turn ({@link ReadBatches}),
 * none for a read this instance's {@link UserCache} can answer; a write and its announcement per
 * PATCH.
 */
public final class MeRepository {

  private final Reads.Statement find;
  private final WritePool writes;
  private final UserCache cache;
  private final long deadlineMillis;
  /** {@code null} for the CLI's: each read is then its own statement. */
  private final ReadBatches batches;
  /** Told the number of ids of every read statement sent (1 for a read of its own). */
  private final IntConsumer readSizes;

  private MeRepository(Reads reads, WritePool writes, UserCache cache, long deadlineMillis, Context loop,
      IntConsumer readSizes) {
    this.find = reads.statement(UserSql.FIND_USER);
    this.writes = writes;
    this.cache = cache;
    this.deadlineMillis = deadlineMillis;
    this.readSizes = readSizes;
    this.batches = loop == null ? null
        : new ReadBatches(loop, this::findAlone, reads.statement(UserSql.FIND_USERS), this::bounded, readSizes);
  }

  /** The CLI's: one pool for everything, no cache, no deadline, no batching, nothing counted. */
  public static MeRepository create(WritePool pool) {
    return new MeRepository(Reads.from(pool.pool()), pool, UserCache.disabled(), 0, null, reads -> { });
  }

  /**
   * Reads from {@code cache}, else on {@code reads} (the service passes its event loop's), writes
   * on {@code writes}; each call fails with a {@link java.util.concurrent.TimeoutException} after
   * {@code deadlineMillis} ({@code 0}: never), whatever it is waiting for. Made on the event loop
   * it serves (a verticle's {@code start}): the reads asked for on that loop are batched
   * ({@link ReadBatches}); any asked for off it are each their own statement.
   *
   * @param readSizes told, once per read statement sent, how many reads it carries (the service
   *     passes its {@code db.read.batch.size}); called on the event loop, so it
   *     must be cheap and thread-safe
   */
  public static MeRepository create(Reads reads, WritePool writes, UserCache cache, long deadlineMillis,
      IntConsumer readSizes) {
    Context loop = Vertx.currentContext();
    if (loop == null || !loop.isEventLoopContext()) {
      throw new IllegalStateException("the service's repository is made on the event loop whose reads it batches");
    }
    return new MeRepository(reads, writes, cache, deadlineMillis, loop, readSizes);
  }

  /** The user's row, from the cache unless it holds one older than {@code versionSeen} ({@code -1}: any). */
  public Future<StoredUser> find(UUID userId, long versionSeen) {
    StoredUser held = cache.get(userId, versionSeen);
    if (held != null) {
      return Future.succeededFuture(held);
    }
    long ticket = cache.ticket();
    Future<StoredUser> read = batches != null && batches.onLoop() ? batches.find(userId) : findAlone(userId);
    return ticket == UserCache.NO_TICKET ? read : read.andThen(ar -> {
      if (ar.succeeded()) {
        cache.offer(userId, ar.result(), ticket);
      }
    });
  }

  /** One read, one statement ({@code UserSql.FIND_USER}): off the loop, or a batch of one. */
  private Future<StoredUser> findAlone(UUID userId) {
    readSizes.accept(1);
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
    long ticket = cache.ticket();
    return bounded(writes.withConnection(conn -> conn.preparedQuery(UserSql.PATCH_PREFERENCES).execute(params)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          StoredUser written = single(rows);
          cache.offer(userId, written, ticket);
          // Acknowledged only once announced: other instances then hear of it within the window
          // the contract states. If the announcement fails the write stands, answered as in doubt.
          return conn.preparedQuery(UserSql.ANNOUNCE_USER_CHANGE).execute(Tuple.of(userId, written.version()))
              .map(written);
        })));
  }

  private <T> Future<T> bounded(Future<T> call) {
    return deadlineMillis == 0 ? call : call.timeout(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  public Future<Void> setStaff(String clerkUserId, boolean staff) {
    return writes.execute(UserSql.SET_STAFF, Tuple.of(Ids.userId(clerkUserId), clerkUserId, staff)).mapEmpty();
  }

  static StoredUser single(RowSet<Row> rows) {
    return rows.size() == 0 ? StoredUser.NEVER_WRITTEN : stored(rows.iterator().next(), 0);
  }

  /** The columns of {@code UserSql.FIND_USER} and {@code PATCH_PREFERENCES}, from {@code first} on. */
  static StoredUser stored(Row row, int first) {
    return new StoredUser(row.getJsonObject(first), row.getBoolean(first + 1), row.getLong(first + 2));
  }
}
