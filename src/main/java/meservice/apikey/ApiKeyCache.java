package meservice.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import meservice.auth.Principal;

/**
 * Verified, unrevoked keys by the hex SHA-256 of the key, shared by every event loop. Bounded in
 * size and age, and holds only keys that were found and not revoked, so unknown keys presented
 * by a caller never take space.
 *
 * <p>An entry may be served only while the revocation channel is known to be live: the
 * {@link RevocationListener} confirms, several times a second, that its connection answers; an
 * answer to a ping sent at time T proves every revocation committed before T has been delivered
 * and evicted. Without a confirmation younger than {@link #FRESH_NANOS} every lookup goes to the
 * database, so a revoked key is refused within a second even if the channel silently died.
 */
final class ApiKeyCache {

  static final long FRESH_NANOS = Duration.ofMillis(800).toNanos();
  /** Returned by {@link #ticket()} when a lookup's result must not be cached. */
  static final long NO_TICKET = -1;

  private final boolean enabled;
  private final Cache<String, Principal.ApiKey> entries;
  /** Bumped by every eviction, so a lookup that raced a revocation cannot re-insert the key. */
  private final AtomicLong generation = new AtomicLong();
  /** Which connection of the revocation channel may confirm; a new connection starts a new era. */
  private long era;
  private volatile Confirmation confirmation;

  private record Confirmation(long sentAt) {}

  /** A {@code maximumSize} of 0 turns caching off: every request looks its key up. */
  ApiKeyCache(int maximumSize, Duration timeToLive) {
    this.enabled = maximumSize > 0;
    this.entries = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfterWrite(timeToLive)
        .build();
  }

  /** The cached key, or {@code null} when absent or when the revocation channel is not live. */
  Principal.ApiKey get(String hash) {
    return isFresh() ? entries.getIfPresent(hash) : null;
  }

  /** Taken before the database lookup; {@link #put} honours it only if nothing was evicted since. */
  long ticket() {
    long ticket = generation.get();
    return isFresh() ? ticket : NO_TICKET;
  }

  void put(String hash, Principal.ApiKey key, long ticket) {
    if (!enabled || ticket == NO_TICKET || generation.get() != ticket) {
      return;
    }
    entries.put(hash, key);
    if (generation.get() != ticket) {
      entries.asMap().remove(hash, key);
    }
  }

  void evict(UUID keyId) {
    generation.incrementAndGet();
    entries.asMap().values().removeIf(key -> key.keyId().equals(keyId));
  }

  /** Drops every entry without doubting the channel (an announcement it could not read). */
  void evictAll() {
    generation.incrementAndGet();
    entries.invalidateAll();
  }

  /**
   * Revocations may have been missed (the channel has a new connection): forget everything and
   * trust nothing until the new connection confirms. Returns the era its confirmations must name.
   */
  synchronized long forgetAll() {
    era++;
    confirmation = null;
    generation.incrementAndGet();
    entries.invalidateAll();
    return era;
  }

  /**
   * The channel's connection of {@code era} answered a ping sent at {@code sentAt}
   * ({@link System#nanoTime()}). A late answer from an older connection is ignored.
   */
  synchronized void confirm(long era, long sentAt) {
    if (era == this.era) {
      confirmation = new Confirmation(sentAt);
    }
  }

  private boolean isFresh() {
    Confirmation c = confirmation;
    return c != null && System.nanoTime() - c.sentAt < FRESH_NANOS;
  }
}
