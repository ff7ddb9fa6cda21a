package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The keyed token buckets, on a clock the test sets ({@code now} in nanoseconds). */
@Tag("unit")
class TokenBucketsTest {

  private static final long SECOND = 1_000_000_000L;
  /** Any start: the clock is {@link System#nanoTime()}'s, which has no fixed origin. */
  private static final long T0 = 42 * SECOND;

  @Test
  void aNewKeyHasAFullBurst() {
    TokenBuckets buckets = new TokenBuckets(1, 3, 100);

    assertEquals(0, buckets.take("a", T0));
    assertEquals(0, buckets.take("a", T0));
    assertEquals(0, buckets.take("a", T0));
    assertTrue(buckets.take("a", T0) > 0);
  }

  @Test
  void anEmptyBucketAnswersTheNanosecondsUntilOneToken() {
    TokenBuckets buckets = new TokenBuckets(4, 1, 100);
    buckets.take("a", T0);

    assertEquals(SECOND / 4.0, buckets.take("a", T0), 1.0);
    assertEquals(SECOND / 8.0, buckets.take("a", T0 + SECOND / 8), 1.0);
  }

  @Test
  void tokensComeBackAtTheRate() {
    TokenBuckets buckets = new TokenBuckets(2, 1, 100);
    buckets.take("a", T0);

    assertEquals(0, buckets.take("a", T0 + SECOND / 2));
  }

  @Test
  void aBucketNeverRefillsPastItsBurst() {
    TokenBuckets buckets = new TokenBuckets(10, 2, 100);
    buckets.take("a", T0);

    assertEquals(0, buckets.take("a", T0 + 60 * SECOND));
    assertEquals(0, buckets.take("a", T0 + 60 * SECOND));
    assertTrue(buckets.take("a", T0 + 60 * SECOND) > 0);
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    TokenBuckets buckets = new TokenBuckets(1, 1, 100);
    buckets.take("a", T0);

    assertEquals(0, buckets.take("b", T0));
  }

  @Test
  void aBurstBelowOneIsOne() {
    TokenBuckets buckets = new TokenBuckets(1, 0, 100);

    assertEquals(0, buckets.take("a", T0));
    assertTrue(buckets.take("a", T0) > 0);
  }

  @Test
  void waitingForATokenNeitherTakesOneNorTracksTheKey() {
    TokenBuckets buckets = new TokenBuckets(1, 1, 100);

    assertEquals(0, buckets.waitFor("a", T0));
    assertTrue(buckets.isEmpty());
    buckets.take("a", T0);
    long wait = buckets.waitFor("a", T0);
    assertTrue(wait > 0);
    assertEquals(wait, buckets.waitFor("a", T0), "asking again costs nothing");
  }

  @Test
  void atCapacityANewKeyIsNotTrackedAndNotRefused() {
    TokenBuckets buckets = new TokenBuckets(1, 1, 1);
    buckets.take("a", T0);

    assertEquals(0, buckets.take("b", T0));
    assertEquals(0, buckets.take("b", T0), "an untracked key is never limited");
    assertEquals(1, buckets.size());
    assertTrue(buckets.take("a", T0) > 0, "the tracked key keeps its count");
  }

  @Test
  void atCapacityRefilledBucketsAreSweptToMakeRoom() {
    TokenBuckets buckets = new TokenBuckets(1, 1, 1);
    buckets.take("a", T0);

    buckets.take("b", T0 + 2 * SECOND);
    assertEquals(1, buckets.size());
    assertTrue(buckets.take("b", T0 + 2 * SECOND) > 0, "b is tracked in a's place");
  }

  @Test
  void aSweepRunsAtMostOnceASecond() {
    TokenBuckets buckets = new TokenBuckets(4, 1, 1);
    buckets.take("a", T0);
    buckets.take("b", T0); // sweeps, and finds nothing to forget: a is empty

    buckets.take("c", T0 + SECOND / 2); // a is full again, but the last sweep was half a second ago
    assertEquals(0, buckets.take("c", T0 + SECOND / 2), "not swept: c untracked");
    buckets.take("c", T0 + SECOND);
    assertTrue(buckets.take("c", T0 + SECOND) > 0, "a second after the last sweep: a swept, c tracked");
  }
}
