package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import meservice.identity.AuthFailureReason;
import meservice.support.Api.Response;
import meservice.support.Api;
import meservice.support.AuthFailureMetrics;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of refused credential is counted once in {@code auth_failures_total}, under the reason
 * the verifier raised it with (a type, not a reading of the log text). {@code no_keys} needs a JWKS
 * that has not loaded: {@code JwksKeySourceTest}.
 */
class AuthFailureReasonTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  static Stream<Arguments> refusals() {
    return Stream.of(
        refusal("missing", () -> null),
        refusal("malformed", () -> "not.a.jwt"),
        refusal("malformed", () -> "eyJhbGciOiJSUzI1NiJ9.e30"),
        refusal("header", () -> Tokens.ISSUER.sign(Tokens.header().put("jku", "https://evil.example/jwks"), claims())),
        refusal("header", () -> Tokens.ISSUER.sign(Tokens.header().put("typ", "at+jwt"), claims())),
        refusal("algorithm", () -> Tokens.ISSUER.sign(Tokens.header().put("alg", "RS384"), claims())),
        refusal("expired", () -> Tokens.sign(claims().put("exp", Tokens.now() - 3600))),
        refusal("not_yet_valid", () -> Tokens.sign(claims().put("nbf", Tokens.now() + 3600))),
        refusal("not_yet_valid", () -> Tokens.sign(claims().put("iat", Tokens.now() + 3600))),
        refusal("signature", () -> Tokens.STRANGER.sign(Tokens.header(), claims())),
        refusal("issuer", () -> Tokens.sign(claims().put("iss", "https://clerk.other.example"))),
        refusal("authorized_party", () -> Tokens.sign(claims().put("azp", "https://evil.example"))),
        refusal("claims", () -> Tokens.sign(claims().put("sid", ""))),
        refusal("claims", () -> Tokens.sign(claims().put("sts", "pending"))),
        refusal("claims", () -> Tokens.ISSUER.sign(Tokens.header().put("cat", "cl_M2M"), claims())),
        refusal("claims", () -> Tokens.sign(claims().put("v", 2).put("fea", "dashboard")
            .put("o", new JsonObject().put("id", "org_1").put("rol", "admin").put("per", "read").put("fpm", "1")))),
        refusal("api_key", () -> "mek_" + "A".repeat(43)),
        refusal("api_key", () -> "mek_short"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusals")
  void eachRefusalIsCountedOnceUnderItsReason(String reason, String label, Supplier<String> credential) {
    Api api = service.api();
    Map<String, Double> before = AuthFailureMetrics.all(api);

    Response response = api.get(credential.get());

    assertEquals(401, response.status(), response.text());
    Map<String, Double> expected = new HashMap<>(before);
    expected.merge(reason, 1.0, Double::sum);
    assertEquals(expected, AuthFailureMetrics.all(api));
  }

  @Test
  void everyReasonIsExportedFromTheStartSoDashboardsSeeZeros() {
    Map<String, Double> counts = AuthFailureMetrics.all(service.api());

    for (AuthFailureReason reason : AuthFailureReason.values()) {
      assertEquals(true, counts.containsKey(reason.label()), reason.label() + " in " + counts);
    }
  }

  private static JsonObject claims() {
    return Tokens.claims(Tokens.newUserId());
  }

  private static int serial;

  private static Arguments refusal(String reason, Supplier<String> credential) {
    return Arguments.of(reason, reason + " #" + (++serial), credential);
  }
}
