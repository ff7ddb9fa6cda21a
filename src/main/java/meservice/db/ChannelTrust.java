package meservice.db;

import java.time.Duration;

/**
 * Whether a cache kept true by a {@link ChangeListener} channel may be served right now: only
 * while the channel is known to be live. An answer to a ping sent at time T proves every
 * announcement committed before T has been delivered; without a confirmation younger than
 * {@link #FRESH_NANOS} (pings go out every 200 ms) the cache is bypassed, so a change is seen
 * within a second even if the channel silently died.
 */
public final class ChannelTrust {

  public static final long FRESH_NANOS = Duration.ofMillis(800).toNanos();

  /** Which connection of the channel may confirm; a new connection starts a new era. */
  private long era;
  private volatile boolean confirmed;
  private volatile long confirmedAt;

  /** A new era: nothing is trusted until a confirmation of it. */
  public synchronized void reset(long era) {
    this.era = era;
    confirmed = false;
  }

  /** A late answer from an older connection is ignored. */
  public synchronized void confirm(long era, long sentAt) {
    if (era == this.era) {
      confirmedAt = sentAt;
      confirmed = true;
    }
  }

  public boolean isFresh() {
    return confirmed && System.nanoTime() - confirmedAt < FRESH_NANOS;
  }

  /** Seconds since the ping that last confirmed the channel was sent; infinite when never. */
  public double secondsSinceConfirmed() {
    return confirmed ? (System.nanoTime() - confirmedAt) / 1e9 : Double.POSITIVE_INFINITY;
  }
}
