package meservice.http;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import meservice.config.AppConfig;
import meservice.config.IpRange;
import meservice.support.SourceAddressClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failed-authentication limiter on real requests from several loopback source addresses, on a
 * clock the test moves (127.0.0.1 is the trusted proxy). The server stands in for AuthHandler: a
 * request to {@code /fail} carries a credential that failed, any other one that passed; every
 * answer is the wait the limiter asked for (0: let in).
 */
@Tag("unit")
@ExtendWith(VertxExtension.class)
class AuthFailureLimiterTest {

  private static final long SECOND = 1_000_000_000L;
  private static final int BURST = 3;
  private static final int MAX_ADDRESSES = 20;

  /** Any start: the limiter's clock is {@link System#nanoTime()}'s, which has no fixed origin. */
  private final AtomicLong clock = new AtomicLong(42 * SECOND);
  private AuthFailureLimiter limiter;
  private int port;

  @BeforeEach
  void serve(Vertx vertx) {
    limiter = new AuthFailureLimiter(new AppConfig.AuthFailureLimits(1, BURST, MAX_ADDRESSES),
        new ClientAddress(List.of(new IpRange(IpRange.parse("127.0.0.1"), 32))), clock::get);
    port = await(vertx.createHttpServer()
        .requestHandler(request -> {
          long wait = limiter.retryAfterNanos(request);
          if (wait == 0 && request.path().equals("/fail")) {
            limiter.failed(request);
          }
          request.response().end(Long.toString(wait));
        })
        .listen(0, "127.0.0.1")).actualPort();
  }

  @Test
  void anAddressIsLetInAgainOnceItsRetryAfterHasPassed() {
    SourceAddressClient nat = new SourceAddressClient("127.0.0.5", port);
    long wait = failUntilRefused(nat, Map.of());

    // What AuthHandler tells the client: the wait in whole seconds, rounded up.
    clock.addAndGet(TimeUnit.SECONDS.toNanos((long) Math.ceil(wait / 1e9)));

    assertEquals(0, waitFor(nat, "/pass", Map.of()));
  }

  @Test
  void onceAFloodOfAddressesHasPassedANewAddressIsLimitedAgain() {
    SourceAddressClient proxy = new SourceAddressClient("127.0.0.1", port);
    for (int i = 0; i < 10 * MAX_ADDRESSES; i++) {
      assertEquals(0, waitFor(proxy, "/fail", Map.of("X-Forwarded-For", "198.18." + i / 250 + "." + i % 250)));
    }
    assertEquals(MAX_ADDRESSES, limiter.trackedAddresses(), "every address past the bound went untracked");

    // Each flooding address failed once: its bucket is full again within a second and is let go.
    clock.addAndGet(3 * SECOND / 2);

    assertTrue(failUntilRefused(proxy, Map.of("X-Forwarded-For", "198.19.0.1")) > 0);
    assertTrue(limiter.trackedAddresses() <= MAX_ADDRESSES, limiter.trackedAddresses() + " addresses held");
  }

  /** Fails from the client until the limiter refuses it; the wait it was given. */
  private long failUntilRefused(SourceAddressClient client, Map<String, String> headers) {
    for (int sent = 0; sent < 10 * BURST; sent++) {
      long wait = waitFor(client, "/fail", headers);
      if (wait > 0) {
        return wait;
      }
    }
    throw new AssertionError("never refused after " + 10 * BURST + " failures");
  }

  private static long waitFor(SourceAddressClient client, String path, Map<String, String> headers) {
    return Long.parseLong(client.send("GET", path, headers, null).text());
  }
}
