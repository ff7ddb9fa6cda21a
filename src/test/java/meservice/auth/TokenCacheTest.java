package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import meservice.config.AppConfig;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import meservice.identity.Principal;
import meservice.support.ManualClock;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The verified-token cache as the verifier uses it: a remembered token skips the RS256 check, but
 * still expires on time. The verifier asks its key source for keys exactly when it is about to
 * check a signature, so counting those requests counts signature checks; the keys are the real
 * PEM key of {@link Tokens#ISSUER}, and the tokens are real RS256 tokens. Time passes on a clock
 * the test moves.
 */
@Tag("unit")
@ExtendWith(VertxExtension.class)
class TokenCacheTest {

  private final ManualClock clock = ManualClock.now();
  private CountingKeySource keys;
  private ClerkTokenVerifier verifier;

  @BeforeEach
  void verifier(Vertx vertx) {
    var env = TestConfig.envWithoutDatabase();
    env.put("AUTH_CLOCK_SKEW_SECONDS", "0");
    AppConfig config = TestConfig.config(env);
    keys = new CountingKeySource(new PemKeySource(vertx, Tokens.ISSUER.publicKeyPem(), config.clerk().algorithms()));
    verifier = new ClerkTokenVerifier(keys, config.clerk(), config.scopes(), clock);
  }

  @Test
  void aRepeatedTokenHasItsSignatureCheckedOnce() throws Exception {
    String token = Tokens.session(Tokens.newUserId());

    Principal.ClerkUser first = verify(token);
    Principal.ClerkUser second = verify(token);
    Principal.ClerkUser third = verify(token);

    assertEquals(1, keys.lookups(), "signature checks");
    assertSame(first, second);
    assertSame(first, third);
  }

  @Test
  void everyDistinctTokenHasItsOwnSignatureCheck() throws Exception {
    String sub = Tokens.newUserId();
    String one = Tokens.session(sub);
    String other = Tokens.sign(Tokens.claims(sub).put("sid", "sess_other"));

    verify(one);
    verify(other);
    verify(one);
    verify(other);

    assertEquals(2, keys.lookups(), "signature checks");
  }

  @Test
  void aTokenThatFailsIsCheckedAgainEveryTime() throws Exception {
    String forged = Tokens.STRANGER.sign(Tokens.header(), Tokens.claims(Tokens.newUserId()));

    assertEquals(AuthFailureReason.SIGNATURE, assertRefused(forged).reason);
    assertEquals(AuthFailureReason.SIGNATURE, assertRefused(forged).reason);

    assertEquals(2, keys.lookups(), "a refusal is never remembered");
  }

  @Test
  void aRememberedTokenIsRefusedOnceItExpires() throws Exception {
    String token = Tokens.sign(Tokens.claims(Tokens.newUserId()).put("exp", clock.millis() / 1000 + 60));
    verify(token);
    verify(token);
    assertEquals(1, keys.lookups(), "the second request was answered from the cache");

    clock.advance(Duration.ofSeconds(60));

    assertEquals(AuthFailureReason.EXPIRED, assertRefused(token).reason);
  }

  private Principal.ClerkUser verify(String token) throws Exception {
    return verifier.verify(token, "test").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private AuthFailure assertRefused(String token) {
    ExecutionException failure = assertThrows(ExecutionException.class, () -> verify(token));
    return assertInstanceOf(AuthFailure.class, failure.getCause());
  }

  /** The real key source, counting the verifier's requests for keys to check a signature with. */
  private static final class CountingKeySource implements KeySource {
    private final KeySource keys;
    private final AtomicInteger lookups = new AtomicInteger();

    CountingKeySource(KeySource keys) {
      this.keys = keys;
    }

    int lookups() {
      return lookups.get();
    }

    @Override
    public Future<SigningKeys> keysFor(String kid) {
      lookups.incrementAndGet();
      return keys.keysFor(kid);
    }

    @Override
    public SigningKeys current() {
      return keys.current();
    }

    @Override
    public boolean requiresKid() {
      return keys.requiresKid();
    }
  }
}
