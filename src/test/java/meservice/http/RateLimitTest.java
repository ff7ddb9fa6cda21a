package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-principal rate limiting: 429 RATE_LIMITED with Retry-After, one principal at a time. */
class RateLimitTest {

  private static final int BURST = 5;

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("RATE_LIMIT_PER_SECOND", "1");
    env.put("RATE_LIMIT_BURST", String.valueOf(BURST));
  });

  @Test
  void principalOverItsLimitGets429WithRetryAfter() {
    String token = Tokens.session(Tokens.newUserId());
    long started = System.nanoTime();
    int ok = 0;
    Response limited = null;
    for (int i = 0; i < 3 * BURST; i++) {
      Response response = service.api().get(token);
      if (response.status() == 200) {
        ok++;
      } else {
        limited = response;
      }
    }
    double elapsedSeconds = (System.nanoTime() - started) / 1e9;

    assertTrue(ok <= BURST + Math.ceil(elapsedSeconds) + 1, ok + " answered in " + elapsedSeconds + " s");
    assertTrue(limited != null, "no request was limited");
    assertEquals(429, limited.status());
    assertEquals("RATE_LIMITED", limited.error().getString("code"));
    assertEquals(limited.header("X-Request-Id"), limited.error().getString("request_id"));
    assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
  }

  @Test
  void oneNoisyPrincipalDoesNotLimitAnother() {
    String noisy = Tokens.session(Tokens.newUserId());
    for (int i = 0; i < 4 * BURST; i++) {
      service.api().get(noisy);
    }
    assertEquals(429, service.api().get(noisy).status(), "the noisy principal is limited");

    String quiet = Tokens.session(Tokens.newUserId());
    for (int i = 0; i < BURST; i++) {
      assertEquals(200, service.api().get(quiet).status(), "request " + i + " of a quiet principal");
    }
  }

  @Test
  void limitedPatchWritesNothing() {
    String sub = Tokens.newUserId();
    String token = Tokens.session(sub);
    for (int i = 0; i < 4 * BURST; i++) {
      service.api().get(token);
    }

    Response response = service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");

    assertEquals(429, response.status());
    String after = service.app().pool().preparedQuery("SELECT count(*) FROM users WHERE clerk_user_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(sub)).toCompletionStage().toCompletableFuture().join()
        .iterator().next().getValue(0).toString();
    assertEquals("0", after);
  }
}
