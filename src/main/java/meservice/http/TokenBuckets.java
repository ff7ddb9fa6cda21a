package meservice.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key, shared by every event loop: the one mechanism behind the per-principal
 * {@link RateLimiter} and the per-address {@link AuthFailureLimiter}. A bucket holds up to
 * {@code burst} tokens and regains {@code perSecond}; a key without a bucket has a full one, so
 * full buckets are forgotten and memory follows the keys that spent tokens recently.
 *
 * <p>At most {@code capacity} buckets exist. When the map is full, buckets that have refilled are
 * swept (at most once a second); if it is still full, a new key is not tracked at all
 * ({@link #take} answers 0), so a flood of distinct keys costs bounded memory and never counts
 * against keys already tracked.
 */
final class TokenBuckets {

  private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

  private final double tokensPerNano;
  private final double burst;
  private final int capacity;
  private final Map<Object, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  TokenBuckets(int perSecond, int burst, int capacity) {
    this.tokensPerNano = perSecond / 1e9;
    this.burst = Math.max(1, burst);
    this.capacity = capacity;
  }

  /** Takes a token: 0 when one was there (or the key cannot be tracked), else the nanoseconds until one will be. */
  long take(Object key, long now) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= capacity && !sweep(now)) {
        return 0;
      }
      bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    }
    synchronized (bucket) {
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return untilOne(bucket);
    }
  }

  /** Like {@link #take} without taking: never creates a bucket. */
  long waitFor(Object key, long now) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      return 0;
    }
    synchronized (bucket) {
      refill(bucket, now);
      return bucket.tokens >= 1 ? 0 : untilOne(bucket);
    }
  }

  int size() {
    return buckets.size();
  }

  boolean isEmpty() {
    return buckets.isEmpty();
  }

  /** Forgets full buckets; true when that made room. */
  private boolean sweep(long now) {
    if (now - lastSweep < SWEEP_EVERY_NANOS) {
      return false;
    }
    lastSweep = now;
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      Bucket bucket = it.next();
      synchronized (bucket) {
        if (bucket.tokens + (now - bucket.updated) * tokensPerNano >= burst) {
          it.remove();
        }
      }
    }
    return buckets.size() < capacity;
  }

  private void refill(Bucket bucket, long now) {
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * tokensPerNano);
    bucket.updated = now;
  }

  private long untilOne(Bucket bucket) {
    return Math.max(1, (long) ((1 - bucket.tokens) / tokensPerNano));
  }

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
