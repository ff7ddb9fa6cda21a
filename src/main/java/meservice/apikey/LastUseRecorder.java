package meservice.apikey;

import io.vertx.core.Future;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers when each key was last used and writes all of them in one statement per flush,
 * instead of one write per request. Only verified keys are recorded, so the map is bounded by
 * the number of keys that exist.
 */
final class LastUseRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(LastUseRecorder.class);

  private final ApiKeyRepository repository;
  private final ConcurrentHashMap<UUID, Long> pending = new ConcurrentHashMap<>();
  private Future<Void> inFlight = Future.succeededFuture();

  LastUseRecorder(ApiKeyRepository repository) {
    this.repository = repository;
  }

  void record(UUID keyId) {
    pending.merge(keyId, System.currentTimeMillis(), Math::max);
  }

  /** The periodic flush: skipped while the previous one is still being written. */
  synchronized Future<Void> flushIfIdle() {
    if (!inFlight.isComplete()) {
      return inFlight;
    }
    inFlight = write();
    return inFlight;
  }

  /** The final flush at shutdown: waits for one in progress, then writes what is left. */
  Future<Void> flush() {
    Future<Void> previous;
    synchronized (this) {
      previous = inFlight;
    }
    return previous.transform(ar -> flushIfIdle());
  }

  private Future<Void> write() {
    Map<UUID, Long> batch = new HashMap<>();
    for (Map.Entry<UUID, Long> use : pending.entrySet()) {
      // Taken only if unchanged: a use recorded meanwhile stays for the next flush.
      if (pending.remove(use.getKey(), use.getValue())) {
        batch.put(use.getKey(), use.getValue());
      }
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<UUID, OffsetDateTime> times = new HashMap<>();
    batch.forEach((id, millis) -> times.put(id, OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC)));
    return repository.touch(times).onFailure(err -> {
      batch.forEach((id, millis) -> pending.merge(id, millis, Math::max));
      LOG.warn("could not record the last use of {} api key(s), will retry: {}", batch.size(), err.toString());
    });
  }
}
