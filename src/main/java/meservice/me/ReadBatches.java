package meservice.me;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import meservice.db.Reads;

/**
 * One event loop's user reads, gathered: every read asked for while the loop handles one round of
 * ready connections goes to PostgreSQL, once that round is done, as one statement
 * ({@code UserSql.FIND_USERS}, the ids as an array; a lone read keeps {@code UserSql.FIND_USER}). The
 * loop runs its queued tasks only after all the I/O that was ready, so a quiet loop sends each
 * read at once and a busy one sends one statement per round instead of one per request. Under
 * load that saves, per request, a socket write to PostgreSQL, a wake-up of its backend and a
 * statement execution (measured in BENCHMARKS.md).
 *
 * <p>Confined to its event loop: {@link #find} is called on that loop's thread (as the router's
 * handlers are, each on its request's own context); no locking. Each read is answered on the
 * context that asked for it. A failed statement fails every read it carried (a 503 each, as one
 * failed read would be); a row that cannot be read fails only the reads of its user.
 */
final class ReadBatches {

  /** Ids per statement: a turn that gathers more sends several. */
  static final int MAX_IDS = 128;

  private final ContextInternal context;
  private final Function<UUID, Future<StoredUser>> alone;
  private final Reads.Statement many;
  private final UnaryOperator<Future<RowSet<Row>>> bounded;
  private final IntConsumer sizes;
  private List<UUID> ids = new ArrayList<>();
  private List<Promise<StoredUser>> waiting = new ArrayList<>();

  /**
   * Gathers the reads asked for on {@code context}'s event loop. A batch of one is read by
   * {@code alone} (the repository's own single read, which counts and bounds itself); for larger
   * ones {@code bounded} puts the repository's deadline on each statement sent and {@code sizes}
   * is told its number of ids.
   */
  ReadBatches(Context context, Function<UUID, Future<StoredUser>> alone, Reads.Statement many,
      UnaryOperator<Future<RowSet<Row>>> bounded, IntConsumer sizes) {
    this.context = (ContextInternal) context;
    this.alone = alone;
    this.many = many;
    this.bounded = bounded;
    this.sizes = sizes;
  }

  boolean onLoop() {
    return context.inThread();
  }

  Future<StoredUser> find(UUID userId) {
    // Answered on the asking request's own context; a caller with none (not a handler) on the loop's.
    ContextInternal caller = (ContextInternal) Vertx.currentContext();
    if (ids.isEmpty()) {
      // Queued behind this round's I/O: every read it asks for joins the batch first. Traced
      // (docs/tracing.md), it is queued on the context of the request that opens the batch (the
      // same loop and queue), so the statement's span is that request's child; the requests that
      // join the batch show no SQL span of their own.
      (caller != null && caller.tracer() != null ? caller : context).runOnContext(this::send);
    }
    Promise<StoredUser> promise = (caller != null ? caller : context).promise();
    ids.add(userId);
    waiting.add(promise);
    return promise.future();
  }

  private void send(Void ignored) {
    List<UUID> ids = this.ids;
    List<Promise<StoredUser>> waiting = this.waiting;
    this.ids = new ArrayList<>();
    this.waiting = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += MAX_IDS) {
      int to = Math.min(ids.size(), from + MAX_IDS);
      send(ids.subList(from, to), waiting.subList(from, to));
    }
  }

  private void send(List<UUID> ids, List<Promise<StoredUser>> waiting) {
    if (ids.size() == 1) {
      alone.apply(ids.get(0)).onComplete(waiting.get(0));
      return;
    }
    sizes.accept(ids.size());
    bounded.apply(many.execute(Tuple.of(ids.toArray(UUID[]::new)))).onComplete(ar -> {
      if (ar.failed()) {
        waiting.forEach(promise -> promise.fail(ar.cause()));
        return;
      }
      for (Row row : ar.result()) {
        UUID id = row.getUUID(0);
        StoredUser stored = null;
        RuntimeException unreadable = null;
        try {
          stored = MeRepository.stored(row, 1);
        } catch (RuntimeException e) {
          // A row no valid write makes (a hand edit of the table could): it fails its own readers
          // only, as it would read alone; every other read of the batch is still answered.
          unreadable = e;
        }
        for (int i = 0; i < ids.size(); i++) {
          if (id.equals(ids.get(i))) {
            waiting.get(i).complete(stored, unreadable);
          }
        }
      }
      // No row: the user was never written.
      waiting.forEach(reader -> reader.tryComplete(StoredUser.NEVER_WRITTEN));
    });
  }
}
