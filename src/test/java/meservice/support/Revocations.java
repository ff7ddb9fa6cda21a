package meservice.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract's revocation bound: a revoked key is refused by every instance within one second
 * of {@code apikey revoke} returning. Not at once: an instance may answer from its cache until
 * the announcement arrives, so a check right after the revoke races the notification.
 */
public final class Revocations {

  private static final long ONE_SECOND_NANOS = 1_000_000_000L;

  private Revocations() {}

  public static void assertRefusedWithinOneSecond(String key, Api... instances) throws InterruptedException {
    long start = System.nanoTime();
    boolean[] refused = new boolean[instances.length];
    while (System.nanoTime() - start <= ONE_SECOND_NANOS) {
      boolean all = true;
      for (int i = 0; i < instances.length; i++) {
        refused[i] = refused[i] || instances[i].get(key).status() == 401;
        all &= refused[i];
      }
      if (all) {
        System.out.printf("revocation refused by %d instance(s) %d ms after apikey revoke returned%n",
            instances.length, (System.nanoTime() - start) / 1_000_000);
        // Refused for good, not only once.
        for (Api instance : instances) {
          assertEquals(401, instance.get(key).status());
        }
        return;
      }
      Thread.sleep(20);
    }
    for (int i = 0; i < instances.length; i++) {
      assertTrue(refused[i], "instance " + (i + 1) + " still accepts the key one second after its revocation");
    }
  }
}
