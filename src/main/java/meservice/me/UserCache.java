package meservice.me;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import meservice.db.ChangeListener;
import meservice.db.ChannelTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's copy of user rows, so that a GET is answered without PostgreSQL: bounded in
 * entries, shared by every event loop, kept true by the {@link UserSql#USER_CHANGED_CHANNEL}
 * announcements of every change of a user row: the service's after each PATCH commits, a
 * trigger's inside any other changing transaction (migrations V4, V5).
 *
 * <p>The rules that keep it true:
 * <ul>
 *   <li>Served only while the channel is known to be live ({@link ChannelTrust}); everything is
 *       forgotten when a new listening connection starts, since announcements sent meanwhile were
 *       lost.</li>
 *   <li>A row is never replaced by an older one. An announcement of version v drops a row older
 *       than v and is remembered for a while (held or not): a read that was asked for before the
 *       change (a slow batch, a lagging standby) and returns an older row does not install it.
 *       Versions grow with every change (a trigger sees to it), so comparing them is enough.</li>
 *   <li>A read installs its row only if the cache was trusted when the read was asked for and
 *       nothing was forgotten wholesale since ({@link #ticket}).</li>
 *   <li>A PATCH on this instance installs the row its statement returned: this instance reads its
 *       own writes at once; other instances once the announcement reaches them.</li>
 *   <li>Entries expire after a safety age, which bounds the harm of anything missed.</li>
 * </ul>
 */
public final class UserCache implements ChangeListener.Channel {

  private static final Logger LOG = LoggerFactory.getLogger(UserCache.class);
  /** Returned by {@link #ticket()} when a read's result must not be installed. */
  static final long NO_TICKET = -1;
  /** The floor of a deleted row: no row of that user is installed until the floor expires. */
  private static final long GONE = Long.MAX_VALUE;

  private final boolean enabled;
  private final Cache<UUID, StoredUser> rows;
  /**
   * The newest version announced for users changed lately, whether held or not: a read that was
   * asked for before the change and returns an older row must not install it. Kept for longer
   * than any read may take.
   */
  private final Cache<UUID, Long> floors;
  private final ChannelTrust trust = new ChannelTrust();
  /** Bumped whenever everything is forgotten, so a read that raced it cannot install its row. */
  private final AtomicLong generation = new AtomicLong();
  private final Counter hits;
  private final Counter misses;
  private final Counter changes;

  /**
   * A {@code maximumSize} of 0 turns caching off: every GET reads the database. Rows expire
   * {@code safetyAge} after they were installed; announced versions are kept for
   * {@code longestRead} (no read may take longer: the database deadline) and at least 30 s.
   */
  public UserCache(int maximumSize, Duration safetyAge, Duration longestRead, MeterRegistry registry) {
    this.enabled = maximumSize > 0;
    this.rows = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfterWrite(safetyAge)
        .recordStats()
        .build();
    this.floors = Caffeine.newBuilder()
        .maximumSize(Math.max(maximumSize, 1))
        .expireAfterWrite(longestRead.compareTo(Duration.ofSeconds(30)) > 0 ? longestRead : Duration.ofSeconds(30))
        .build();
    this.hits = Counter.builder("user.cache.requests").tag("result", "hit")
        .description("GET reads of a user's row, answered from this instance's cache or not")
        .register(registry);
    this.misses = Counter.builder("user.cache.requests").tag("result", "miss")
        .description("GET reads of a user's row, answered from this instance's cache or not")
        .register(registry);
    this.changes = Counter.builder("user.cache.changes")
        .description("Changes of user rows announced to this instance (every instance hears every change)")
        .register(registry);
    FunctionCounter.builder("user.cache.evictions", rows, cache -> cache.stats().evictionCount())
        .description("Entries dropped for room or age")
        .register(registry);
    Gauge.builder("user.cache.entries", rows, Cache::estimatedSize)
        .description("Users whose row this instance holds")
        .register(registry);
    Gauge.builder("user.cache.listener.confirmed.age", trust, ChannelTrust::secondsSinceConfirmed)
        .baseUnit("seconds")
        .description("Since the change channel last proved live; the cache is bypassed past 0.8 s")
        .register(registry);
  }

  /** A cache that holds nothing (the commands, which read and write once). */
  static UserCache disabled() {
    return new UserCache(0, Duration.ofSeconds(1), Duration.ofSeconds(1), new SimpleMeterRegistry());
  }

  /**
   * The user's row, or {@code null}: not held, older than {@code versionSeen} (a version the caller
   * was already given, e.g. by another instance), or the cache may not be trusted now.
   */
  StoredUser get(UUID userId, long versionSeen) {
    if (enabled && trust.isFresh()) {
      StoredUser row = rows.getIfPresent(userId);
      if (row != null && row.version() >= versionSeen) {
        hits.increment();
        return row;
      }
    }
    misses.increment();
    return null;
  }

  /** Taken before a read or a write; {@link #offer} honours it only if nothing was forgotten since. */
  long ticket() {
    long ticket = generation.get();
    return enabled && trust.isFresh() ? ticket : NO_TICKET;
  }

  /** A row read or written under {@code ticket}: installed unless a newer version is known. */
  void offer(UUID userId, StoredUser row, long ticket) {
    if (ticket == NO_TICKET || generation.get() != ticket || isOlderThanAnnounced(userId, row)) {
      return;
    }
    rows.asMap().merge(userId, row, (held, offered) -> held.version() >= offered.version() ? held : offered);
    // A change announced while it was installed, or everything forgotten meanwhile: take it back.
    if (generation.get() != ticket || isOlderThanAnnounced(userId, row)) {
      rows.asMap().remove(userId, row);
    }
  }

  private boolean isOlderThanAnnounced(UUID userId, StoredUser row) {
    Long floor = floors.getIfPresent(userId);
    return floor != null && row.version() < floor;
  }

  @Override
  public String name() {
    return UserSql.USER_CHANGED_CHANNEL;
  }

  @Override
  public void reset(long era) {
    trust.reset(era);
    forgetAll();
  }

  @Override
  public void confirmed(long era, long sentAt) {
    trust.confirm(era, sentAt);
  }

  @Override
  public void notified(String payload) {
    changes.increment();
    if (payload.equals("*")) {
      forgetAll();
      return;
    }
    int colon = payload.indexOf(':');
    UUID userId;
    long version;
    try {
      userId = UUID.fromString(payload.substring(0, Math.max(0, colon)));
      version = colon == payload.length() - 1 ? GONE : Long.parseLong(payload.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      LOG.warn("unreadable user change '{}'; emptying the user cache", payload);
      forgetAll();
      return;
    }
    changed(userId, version);
  }

  /** Version {@code version} of the user's row was committed (or the row deleted: {@link #GONE}). */
  void changed(UUID userId, long version) {
    floors.asMap().merge(userId, version, Math::max);
    rows.asMap().computeIfPresent(userId, (id, held) -> held.version() >= version ? held : null);
  }

  /** Rows held now, after pending evictions. */
  long size() {
    rows.cleanUp();
    return rows.estimatedSize();
  }

  private void forgetAll() {
    generation.incrementAndGet();
    rows.invalidateAll();
  }
}
