package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import meservice.App;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Verified tokens are remembered, but a remembered token still expires on time. */
@ExtendWith(VertxExtension.class)
class TokenCacheTest {

  private static App app;
  private static Api api;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = TestConfig.env();
    env.put("AUTH_CLOCK_SKEW_SECONDS", "0");
    App.start(vertx, TestConfig.config(env)).onComplete(ctx.succeeding(started -> {
      app = started;
      api = new Api(started.port());
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    app.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void repeatedTokenAnswersTheSameCaller() {
    String token = Tokens.session(Tokens.newUserId());

    Response first = api.get(token);
    Response second = api.get(token);

    assertEquals(200, second.status());
    assertEquals(first.data(), second.data());
  }

  @Test
  void cachedTokenIsRefusedOnceItExpires() throws InterruptedException {
    long exp = Tokens.now() + 2;
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("exp", exp);
    String token = Tokens.sign(claims);
    assertEquals(200, api.get(token).status());
    assertEquals(200, api.get(token).status());

    // Behaviour, not speed: the wait only moves the clock past exp.
    Thread.sleep(Math.max(0, exp * 1000 - System.currentTimeMillis()) + 200);

    AuthenticationTest.assertUnauthorized(api.get(token));
  }
}
