package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.App;
import meservice.dev.LocalIssuer;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.AuthFailureMetrics;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys from a JWKS URL served by a real local HTTP server: cached, refetched on an unknown kid and
 * on a timer, never fetched in a flood; readiness waits for them; a header without a usable kid is
 * a counted 401.
 */
@ExtendWith(VertxExtension.class)
class JwksKeySourceTest {

  private final LocalIssuer oldKey = LocalIssuer.generate("kid-old");
  private final LocalIssuer newKey = LocalIssuer.generate("kid-new");
  private final AtomicReference<JsonObject> published = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();

  private HttpServer jwksServer;
  private App app;

  @BeforeEach
  void startJwksServer(Vertx vertx, VertxTestContext ctx) {
    publish(oldKey);
    vertx.createHttpServer()
        .requestHandler(request -> {
          fetches.incrementAndGet();
          JsonObject jwks = published.get();
          if (jwks == null) {
            request.response().setStatusCode(503).end();
          } else {
            request.response().putHeader("Content-Type", "application/json").end(jwks.encode());
          }
        })
        .listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(server -> {
          jwksServer = server;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    (app == null ? jwksServer.close() : app.stop().compose(v -> jwksServer.close()))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tokenSignedByAKeyInTheJwksIsAccepted(Vertx vertx) {
    Api api = start(vertx, "0");

    assertEquals(200, api.get(token(oldKey)).status());
    assertEquals(1, fetches.get(), "keys are fetched once at start-up and cached");
  }

  @Test
  void unknownKidAfterARotationIsAnsweredAfterOneRefetch(Vertx vertx) {
    Api api = start(vertx, "0");
    publish(oldKey, newKey);

    assertEquals(200, api.get(token(newKey)).status());
    assertEquals(2, fetches.get());
    assertEquals(200, api.get(token(newKey)).status());
    assertEquals(2, fetches.get(), "the rotated key is cached too");
  }

  @Test
  void keyRemovedFromTheJwksStopsWorkingAfterARefetch(Vertx vertx) {
    Api api = start(vertx, "0");
    publish(newKey);

    assertEquals(200, api.get(token(newKey)).status());
    AuthenticationTest.assertUnauthorized(api.get(token(oldKey)));
  }

  @Test
  void cachedTokenOfAKeyRemovedFromTheJwksIsRefusedAfterTheRefetch(Vertx vertx) {
    Api api = start(vertx, "0");
    String cached = token(oldKey);
    assertEquals(200, api.get(cached).status());
    assertEquals(200, api.get(cached).status(), "answered from the verified-token cache");
    publish(newKey);

    assertEquals(200, api.get(token(newKey)).status(), "an unknown kid refetches the JWKS");
    AuthenticationTest.assertUnauthorized(api.get(cached));
  }

  @Test
  void tokenWithoutKidIsUnauthorizedNotAServerError(Vertx vertx) {
    Api api = start(vertx, "0");

    String noKid = oldKey.sign(new JsonObject().put("alg", "RS256").put("typ", "JWT"), Tokens.claims(Tokens.newUserId()));

    AuthenticationTest.assertUnauthorized(api.get(noKid));
  }

  @Test
  void malformedHeadersAreUnauthorizedAndCountedAsHeaderFailures(Vertx vertx) {
    Api api = start(vertx, "0");
    List<JsonObject> headers = List.of(
        new JsonObject().put("alg", "RS256").put("typ", "JWT"),
        new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", 7),
        new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", new JsonObject()),
        new JsonObject().put("alg", "RS256").put("typ", "at+jwt").put("kid", oldKey.kid()),
        new JsonObject().put("alg", "RS256").put("typ", 1).put("kid", oldKey.kid()),
        new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", oldKey.kid()).put("crit", new JsonArray().add("exp")));
    double before = AuthFailureMetrics.count(api, "header");

    for (JsonObject header : headers) {
      AuthenticationTest.assertUnauthorized(api.get(oldKey.sign(header, Tokens.claims(Tokens.newUserId()))));
    }

    assertEquals(before + headers.size(), AuthFailureMetrics.count(api, "header"));
  }

  @Test
  void timerRefreshStopsTrustingAWithdrawnKeyWithoutAnyUnknownKid(Vertx vertx) throws InterruptedException {
    Api api = start(vertx, "3600", env -> env.put("JWKS_REFRESH_SECONDS", "1"));
    String cached = token(oldKey);
    assertEquals(200, api.get(cached).status());
    assertEquals(200, api.get(cached).status(), "answered from the verified-token cache");

    publish(newKey);

    // No token names the new kid: only the timer can notice the withdrawal.
    Response last = null;
    for (int i = 0; i < 100 && (last == null || last.status() == 200); i++) {
      Thread.sleep(100);
      last = api.get(cached);
    }
    AuthenticationTest.assertUnauthorized(last);
    assertEquals(200, api.get(token(newKey)).status());
  }

  @Test
  void readinessIs503UntilAKeySetLoadsThen200(Vertx vertx) throws InterruptedException {
    published.set(null);
    Api api = start(vertx, "0");
    Response early = api.send("GET", "/health/ready", Map.of(), null);
    assertEquals(503, early.status(), early.text());
    assertEquals("UNAVAILABLE", early.error().getString("code"));
    double noKeys = AuthFailureMetrics.count(api, "no_keys");
    AuthenticationTest.assertUnauthorized(api.get(token(oldKey)));
    assertEquals(noKeys + 1, AuthFailureMetrics.count(api, "no_keys"));

    publish(oldKey);

    Response ready = early;
    for (int i = 0; i < 100 && ready.status() != 200; i++) {
      Thread.sleep(100);
      ready = api.send("GET", "/health/ready", Map.of(), null);
    }
    assertEquals(200, ready.status(), ready.text());
    assertEquals(200, api.get(token(oldKey)).status());
  }

  @Test
  void aJwksWhoseOnlyKeyWasRemovedIsAFetchThatStopsTheKey(Vertx vertx) {
    Api api = start(vertx, "0");
    String cached = token(oldKey);
    assertEquals(200, api.get(cached).status());
    double succeeded = refreshes(api, "success");
    published.set(new JsonObject().put("keys", new JsonArray()));

    // An unknown kid refetches: the JWKS now lists no key at all, which is an answer, not a failure.
    AuthenticationTest.assertUnauthorized(api.get(token(newKey)));

    assertEquals(succeeded + 1, refreshes(api, "success"));
    AuthenticationTest.assertUnauthorized(api.get(cached));
    AuthenticationTest.assertUnauthorized(api.get(token(oldKey)));
    assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status(),
        "the keys are current: there are none, and every instance agrees");
  }

  @Test
  void aJwksAnswerThatIsNoJwksIsAFailedFetchThatKeepsTheKeys(Vertx vertx) {
    Api api = start(vertx, "0");
    double failed = refreshes(api, "failure");
    published.set(new JsonObject().put("error", "maintenance"));

    AuthenticationTest.assertUnauthorized(api.get(token(newKey)));

    assertEquals(failed + 1, refreshes(api, "failure"));
    assertEquals(200, api.get(token(oldKey)).status());
  }

  @Test
  void readinessFailsOnceTheKeysAreOlderThanTheMaximumAgeWhileTokensStillVerify(Vertx vertx) throws Exception {
    Api api = start(vertx, "0", env -> {
      env.put("JWKS_REFRESH_SECONDS", "1");
      env.put("JWKS_MAX_STALE_SECONDS", "2");
    });
    assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status());
    published.set(null);

    Response stale = awaitReadiness(api, 503);

    assertTrue(stale.error().getString("message").startsWith("signing keys last fetched "), stale.text());
    assertEquals(200, api.get(token(oldKey)).status(), "verification goes on with the last keys");
    assertTrue(sample(api, "jwks_age_seconds") > 2);
    publish(oldKey);
    assertEquals(200, awaitReadiness(api, 200).status(), "a successful fetch makes the instance ready again");
  }

  private static Response awaitReadiness(Api api, int status) throws InterruptedException {
    Response response = api.send("GET", "/health/ready", Map.of(), null);
    for (int i = 0; i < 200 && response.status() != status; i++) {
      Thread.sleep(100);
      response = api.send("GET", "/health/ready", Map.of(), null);
    }
    assertEquals(status, response.status(), response.text());
    return response;
  }

  private static double refreshes(Api api, String outcome) {
    return sample(api, "jwks_refreshes_total{outcome=\"" + outcome + "\"}");
  }

  private static double sample(Api api, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$")
        .matcher(api.metrics().text());
    assertTrue(m.find(), series);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void unknownKidsRefetchAtMostOncePerInterval(Vertx vertx) {
    Api api = start(vertx, "3600");

    for (int i = 0; i < 20; i++) {
      LocalIssuer forged = LocalIssuer.generate("forged-" + i);
      AuthenticationTest.assertUnauthorized(api.get(token(forged)));
    }

    assertTrue(fetches.get() <= 1, "JWKS fetched " + fetches.get() + " times");
  }

  private Api start(Vertx vertx, String minRefetchSeconds) {
    return start(vertx, minRefetchSeconds, env -> { });
  }

  private Api start(Vertx vertx, String minRefetchSeconds, Consumer<Map<String, String>> settings) {
    Map<String, String> env = TestConfig.env();
    env.remove("CLERK_JWT_KEY");
    env.put("CLERK_JWKS_URL", "http://127.0.0.1:" + jwksServer.actualPort() + "/.well-known/jwks.json");
    env.put("JWKS_MIN_REFETCH_SECONDS", minRefetchSeconds);
    settings.accept(env);
    app = App.start(vertx, TestConfig.config(env)).toCompletionStage().toCompletableFuture().join();
    return new Api(app.port(), app.managementPort());
  }

  private void publish(LocalIssuer... keys) {
    JsonArray list = new JsonArray();
    for (LocalIssuer key : keys) {
      list.add(key.jwk());
    }
    published.set(new JsonObject().put("keys", list));
  }

  private static String token(LocalIssuer key) {
    return key.sign(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", key.kid()),
        Tokens.claims(Tokens.newUserId()));
  }
}
