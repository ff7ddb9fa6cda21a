package meservice.support;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting from a test's own thread (never from an event loop): for a Vert.x future, or for a condition. */
public final class Futures {

  private Futures() {}

  /** The future's result; its failure is thrown as a {@link java.util.concurrent.CompletionException}. */
  public static <T> T await(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  /**
   * Returns once {@code condition} holds, asking every 20 ms: for something asynchronous to have
   * happened, not for time to pass (a clock the test moves does that). Fails after {@code within}.
   */
  public static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > within.toNanos()) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
      }
      Thread.sleep(20);
    }
  }
}
