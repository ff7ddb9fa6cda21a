package meservice.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Per-principal token buckets ({@code RATE_LIMIT_PER_SECOND}, {@code RATE_LIMIT_BURST}), shared
 * by this instance's event loops. Each principal has its own bucket, so a noisy one is refused
 * with 429 while the others never wait on it. Limits are per instance.
 */
public final class RateLimiter implements Handler<RoutingContext> {

  private static final int MAX_BUCKETS = 200_000;

  private final Function<RoutingContext, Object> keyOf;
  private final boolean enabled;
  private final TokenBuckets buckets;

  /**
   * {@code perSecond} 0 turns limiting off; {@code keyOf} names the bucket of a request (its
   * authenticated principal: this handler runs after authentication).
   */
  public RateLimiter(int perSecond, int burst, Function<RoutingContext, Object> keyOf) {
    this.keyOf = keyOf;
    this.enabled = perSecond > 0;
    this.buckets = new TokenBuckets(perSecond, burst, MAX_BUCKETS);
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!enabled) {
      rc.next();
      return;
    }
    long wait = buckets.take(keyOf.apply(rc), System.nanoTime());
    if (wait == 0) {
      rc.next();
    } else {
      rc.fail(ApiError.rateLimited((int) Math.ceil(wait / 1e9)));
    }
  }
}
