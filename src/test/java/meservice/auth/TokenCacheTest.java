package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verified tokens are remembered, but a remembered token still expires on time. */
class TokenCacheTest {

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> env.put("AUTH_CLOCK_SKEW_SECONDS", "0"));

  @Test
  void repeatedTokenAnswersTheSameCaller() {
    String token = Tokens.session(Tokens.newUserId());

    Response first = service.api().get(token);
    Response second = service.api().get(token);

    assertEquals(200, second.status());
    assertEquals(first.data(), second.data());
  }

  @Test
  void cachedTokenIsRefusedOnceItExpires() throws InterruptedException {
    long exp = Tokens.now() + 2;
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("exp", exp);
    String token = Tokens.sign(claims);
    assertEquals(200, service.api().get(token).status());
    assertEquals(200, service.api().get(token).status());

    // Behaviour, not speed: the wait only moves the clock past exp.
    Thread.sleep(Math.max(0, exp * 1000 - System.currentTimeMillis()) + 200);

    AuthenticationTest.assertUnauthorized(service.api().get(token));
  }
}
