package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import meservice.config.AppConfig;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import meservice.identity.Principal;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The issuer and authorized-party checks fail closed: an unset {@code CLERK_ISSUER} or
 * {@code CLERK_AUTHORIZED_PARTIES} never means "any" unless the operator said so with
 * {@code ALLOW_ANY_ISSUER} / {@code ALLOW_ANY_AUTHORIZED_PARTY}, and each opt-out gives up only its
 * own check. A token minted by the right key for another issuer and origin is the attack.
 */
@Tag("unit")
@ExtendWith(VertxExtension.class)
class ClaimCheckOptOutTest {

  private static final String ATTACKER = "https://attacker.example";

  @Test
  void aTokenOfAnotherIssuerAndOriginSignedByTheKeyIsRefused(Vertx vertx) {
    ClerkTokenVerifier verifier = verifier(vertx, env -> { });

    assertEquals(AuthFailureReason.ISSUER, refused(verifier, attackersToken()).reason);
  }

  @Test
  void withoutAnIssuerSettingEveryTokenIsRefused(Vertx vertx) {
    ClerkTokenVerifier verifier = verifier(vertx, env -> env.remove("CLERK_ISSUER"));

    assertEquals(AuthFailureReason.ISSUER, refused(verifier, Tokens.session(Tokens.newUserId())).reason);
    assertEquals(AuthFailureReason.ISSUER, refused(verifier, attackersToken()).reason);
  }

  @Test
  void withoutAuthorizedPartiesEveryTokenIsRefused(Vertx vertx) {
    ClerkTokenVerifier verifier = verifier(vertx, env -> env.remove("CLERK_AUTHORIZED_PARTIES"));

    assertEquals(AuthFailureReason.AUTHORIZED_PARTY, refused(verifier, Tokens.session(Tokens.newUserId())).reason);
  }

  @Test
  void allowAnyIssuerGivesUpTheIssuerCheckOnly(Vertx vertx) throws Exception {
    ClerkTokenVerifier verifier = verifier(vertx, env -> {
      env.remove("CLERK_ISSUER");
      env.put("ALLOW_ANY_ISSUER", "true");
    });
    String sub = Tokens.newUserId();

    assertEquals(sub, verify(verifier, Tokens.sign(Tokens.claims(sub).put("iss", ATTACKER))).clerkUserId());
    assertEquals(AuthFailureReason.AUTHORIZED_PARTY, refused(verifier, attackersToken()).reason);
  }

  @Test
  void allowAnyAuthorizedPartyGivesUpTheAuthorizedPartyCheckOnly(Vertx vertx) throws Exception {
    ClerkTokenVerifier verifier = verifier(vertx, env -> {
      env.remove("CLERK_AUTHORIZED_PARTIES");
      env.put("ALLOW_ANY_AUTHORIZED_PARTY", "true");
    });
    String sub = Tokens.newUserId();

    assertEquals(sub, verify(verifier, Tokens.sign(Tokens.claims(sub).put("azp", ATTACKER))).clerkUserId());
    assertEquals(sub, verify(verifier, Tokens.sign(Tokens.claims(sub).put("azp", null))).clerkUserId());
    assertEquals(AuthFailureReason.ISSUER, refused(verifier, attackersToken()).reason);
  }

  @Test
  void anOptOutDoesNotSwitchOffASettingThatIsSet(Vertx vertx) {
    ClerkTokenVerifier verifier = verifier(vertx, env -> {
      env.put("ALLOW_ANY_ISSUER", "true");
      env.put("ALLOW_ANY_AUTHORIZED_PARTY", "true");
    });

    assertEquals(AuthFailureReason.ISSUER, refused(verifier, attackersToken()).reason);
  }

  private static String attackersToken() {
    return Tokens.sign(Tokens.claims(Tokens.newUserId()).put("iss", ATTACKER).put("azp", ATTACKER));
  }

  private static ClerkTokenVerifier verifier(Vertx vertx, Consumer<Map<String, String>> settings) {
    Map<String, String> env = TestConfig.envWithoutDatabase();
    settings.accept(env);
    AppConfig config = TestConfig.config(env);
    return new ClerkTokenVerifier(new PemKeySource(vertx, Tokens.ISSUER.publicKeyPem(), config.clerk().algorithms()), config.clerk(),
        config.scopes());
  }

  private static Principal.ClerkUser verify(ClerkTokenVerifier verifier, String token) throws Exception {
    return verifier.verify(token, "test").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static AuthFailure refused(ClerkTokenVerifier verifier, String token) {
    ExecutionException failure = assertThrows(ExecutionException.class, () -> verify(verifier, token));
    return assertInstanceOf(AuthFailure.class, failure.getCause());
  }
}
