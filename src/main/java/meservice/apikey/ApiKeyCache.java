package meservice.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import meservice.db.ChannelTrust;
import meservice.identity.Principal;

/**
 * Verified, unrevoked keys by the hex SHA-256 of the key, shared by every event loop. Bounded in
 * size and age, and holds only keys that were found and not revoked, so unknown keys presented
 * by a caller never take space.
 *
 * <p>An entry may be served only while the revocation channel is known to be live
 * ({@link ChannelTrust}): otherwise every lookup goes to the database, so a revoked key is refused
 * within a second even if the channel silently died.
 */
final class ApiKeyCache {

  /** Returned by {@link #ticket()} when a lookup's result must not be cached. */
  static final long NO_TICKET = -1;

  private final boolean enabled;
  private final Cache<String, Principal.ApiKey> entries;
  /** Bumped by every eviction, so a lookup that raced a revocation cannot re-insert the key. */
  private final AtomicLong generation = new AtomicLong();
  private final ChannelTrust trust = new ChannelTrust();

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
    return trust.isFresh() ? entries.getIfPresent(hash) : null;
  }

  /** Taken before the database lookup; {@link #put} honours it only if nothing was evicted since. */
  long ticket() {
    long ticket = generation.get();
    return trust.isFresh() ? ticket : NO_TICKET;
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
   * Revocations may have been missed (the channel has a new connection, or lost it): forget
   * everything and trust nothing until a confirmation of {@code era}.
   */
  void forgetAll(long era) {
    trust.reset(era);
    generation.incrementAndGet();
    entries.invalidateAll();
  }

  void confirm(long era, long sentAt) {
    trust.confirm(era, sentAt);
  }
}
