package meservice.support;

import io.vertx.core.Future;

/** Waiting for a Vert.x future from a test's own thread (never from an event loop). */
public final class Futures {

  private Futures() {}

  /** The future's result; its failure is thrown as a {@link java.util.concurrent.CompletionException}. */
  public static <T> T await(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }
}
