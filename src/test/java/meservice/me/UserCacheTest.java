package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The rules that keep the user cache true, one by one; the change channel's side is played by hand. */
@Tag("unit")
class UserCacheTest {

  private final UUID user = UUID.randomUUID();
  private UserCache cache;

  @BeforeEach
  void trusted() {
    cache = new UserCache(1000, Duration.ofMinutes(1), Duration.ofSeconds(8), new SimpleMeterRegistry());
    listening(1);
  }

  @Test
  void aRowReadWhileTrustedIsServedFromMemory() {
    StoredUser row = row(3, "Europe/Oslo");
    cache.offer(user, row, cache.ticket());
    assertSame(row, cache.get(user, -1));
  }

  @Test
  void nothingIsServedOrInstalledWhileTheChannelIsNotConfirmed() {
    cache.offer(user, row(3, "Europe/Oslo"), cache.ticket());
    cache.reset(2);
    assertNull(cache.get(user, -1), "a new era forgets what was held");
    assertEquals(UserCache.NO_TICKET, cache.ticket(), "and installs nothing until confirmed");
    cache.confirmed(1, System.nanoTime());
    assertNull(cache.get(user, -1), "a late confirmation of the old era does not count");
  }

  @Test
  void aConfirmationOlderThanItsFreshnessIsNoLongerTrusted() {
    cache.reset(2);
    cache.confirmed(2, System.nanoTime() - Duration.ofSeconds(1).toNanos());
    assertEquals(UserCache.NO_TICKET, cache.ticket());
  }

  @Test
  void anOlderRowNeverReplacesANewerOne() {
    StoredUser newer = row(5, "Asia/Seoul");
    cache.offer(user, newer, cache.ticket());
    cache.offer(user, row(4, "UTC"), cache.ticket());
    assertSame(newer, cache.get(user, -1));
  }

  @Test
  void aChangeDropsAnOlderRow() {
    cache.offer(user, row(3, "Europe/Oslo"), cache.ticket());
    cache.changed(user, 4);
    assertNull(cache.get(user, -1));
  }

  @Test
  void theAnnouncementOfThisInstancesOwnWriteKeepsTheRowItInstalled() {
    StoredUser written = row(4, "Asia/Seoul");
    cache.offer(user, written, cache.ticket());
    cache.notified(user + ":4");
    assertSame(written, cache.get(user, -1));
  }

  @Test
  void aReadAskedBeforeAChangeAndAnsweredAfterItIsNotInstalled() {
    long ticket = cache.ticket();
    cache.notified(user + ":7");
    cache.offer(user, row(6, "UTC"), ticket);
    assertNull(cache.get(user, -1), "a slow batch or a lagging standby's row is older than the announcement");
    cache.offer(user, row(7, "Asia/Seoul"), cache.ticket());
    assertEquals(7, cache.get(user, -1).version());
  }

  @Test
  void aDeletedRowIsNotInstalledAgain() {
    cache.offer(user, row(2, "UTC"), cache.ticket());
    cache.notified(user + ":");
    assertNull(cache.get(user, -1));
    cache.offer(user, StoredUser.NEVER_WRITTEN, cache.ticket());
    assertNull(cache.get(user, -1));
  }

  @Test
  void aTruncationOrAnUnreadableAnnouncementForgetsEverythingAndStopsReadsInFlight() {
    long ticket = cache.ticket();
    cache.offer(user, row(2, "UTC"), ticket);
    cache.notified("*");
    assertNull(cache.get(user, -1));
    cache.offer(user, row(2, "UTC"), ticket);
    assertNull(cache.get(user, -1), "a read asked for before the truncation installs nothing");

    cache.offer(user, row(2, "UTC"), cache.ticket());
    cache.notified("garbage");
    assertNull(cache.get(user, -1));
  }

  @Test
  void aNeverWrittenUserIsHeldUntilItsFirstWrite() {
    cache.offer(user, StoredUser.NEVER_WRITTEN, cache.ticket());
    assertSame(StoredUser.NEVER_WRITTEN, cache.get(user, -1));
    cache.notified(user + ":1");
    assertNull(cache.get(user, -1));
  }

  @Test
  void theCacheHoldsAtMostItsSize() {
    UserCache small = new UserCache(10, Duration.ofMinutes(1), Duration.ofSeconds(8), new SimpleMeterRegistry());
    small.reset(1);
    small.confirmed(1, System.nanoTime());
    for (int i = 0; i < 100; i++) {
      small.offer(UUID.randomUUID(), row(1, "UTC"), small.ticket());
    }
    assertEquals(10, small.size());
  }

  @Test
  void aRowOlderThanWhatTheCallerWasGivenIsPassedOver() {
    StoredUser held = row(3, "Europe/Oslo");
    cache.offer(user, held, cache.ticket());
    assertNull(cache.get(user, 4), "the caller was given version 4 elsewhere");
    assertSame(held, cache.get(user, 3));
  }

  @Test
  void sizeZeroHoldsNothing() {
    UserCache off = new UserCache(0, Duration.ofMinutes(1), Duration.ofSeconds(8), new SimpleMeterRegistry());
    off.reset(1);
    off.confirmed(1, System.nanoTime());
    off.offer(user, row(1, "UTC"), off.ticket());
    assertNull(off.get(user, -1));
  }

  private void listening(long era) {
    cache.reset(era);
    cache.confirmed(era, System.nanoTime());
  }

  private static StoredUser row(long version, String zone) {
    return new StoredUser(new JsonObject().put("timezone", zone), false, version);
  }
}
