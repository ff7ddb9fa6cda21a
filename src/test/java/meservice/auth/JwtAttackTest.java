package meservice.auth;

import static meservice.auth.AuthenticationTest.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import meservice.dev.LocalIssuer;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile session tokens: every one is a 401 in the envelope, never a 5xx, never a write.
 * The service runs with no clock leeway so that "exp equal to now" is an exact edge.
 */
class JwtAttackTest {

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> env.put("AUTH_CLOCK_SKEW_SECONDS", "0"));

  private static final LocalIssuer ATTACKER = LocalIssuer.generate("attacker");
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  static Stream<Arguments> attacks() {
    return Stream.of(
        attack("alg none, empty signature", () -> unsigned("none") + "."),
        attack("alg none, two segments", () -> unsigned("none")),
        attack("alg None", () -> unsigned("None") + "."),
        attack("alg NONE", () -> unsigned("NONE") + "."),
        attack("alg none carrying a real signature", () -> unsigned("none") + "." + signatureOf(Tokens.session("user_x"))),
        attack("alg missing", () -> Tokens.ISSUER.sign(new JsonObject().put("typ", "JWT"), claims())),
        attack("HS256 keyed with the RSA public key PEM", () -> hmac(Tokens.ISSUER.publicKeyPem().getBytes(StandardCharsets.UTF_8))),
        attack("HS256 keyed with the RSA public key DER", () -> hmac(Tokens.ISSUER.keyPair().getPublic().getEncoded())),
        attack("stripped signature", () -> withoutSignature(Tokens.session("user_x")) + "."),
        attack("truncated signature", () -> {
          String token = Tokens.session("user_x");
          return token.substring(0, token.length() - 20);
        }),
        attack("signature of another token", () -> withoutSignature(Tokens.session("user_victim")) + "."
            + signatureOf(Tokens.session("user_other"))),
        attack("signed by another key with the trusted kid", () -> Tokens.STRANGER.sign(Tokens.header(), claims())),
        attack("embedded jwk of the attacker", () -> ATTACKER.sign(Tokens.header().put("jwk", ATTACKER.jwk()), claims())),
        attack("jku pointing elsewhere", () -> ATTACKER.sign(Tokens.header().put("jku", "http://127.0.0.1:1/jwks"), claims())),
        attack("x5u pointing elsewhere", () -> ATTACKER.sign(Tokens.header().put("x5u", "http://127.0.0.1:1/cert"), claims())),
        attack("x5c chain of the attacker", () -> ATTACKER.sign(Tokens.header().put("x5c", new JsonArray().add("MIIBIjAN")), claims())),
        attack("kid path traversal", () -> ATTACKER.sign(Tokens.header().put("kid", "../../../../dev/null"), claims())),
        attack("kid SQL injection", () -> ATTACKER.sign(Tokens.header().put("kid", "x' OR '1'='1"), claims())),
        attack("kid that is not a string", () -> Tokens.ISSUER.sign(Tokens.header().put("kid", 1), claims())),
        attack("crit header", () -> Tokens.ISSUER.sign(Tokens.header().put("crit", new JsonArray().add("exp")), claims())),
        attack("two segments", () -> withoutSignature(Tokens.session("user_x"))),
        attack("four segments", () -> Tokens.session("user_x") + ".AAAA"),
        attack("non-base64 header", () -> "!!!." + Tokens.session("user_x").split("\\.", 2)[1]),
        attack("non-JSON header", () -> b64("hello") + "." + Tokens.session("user_x").split("\\.", 2)[1]),
        attack("header that is a JSON array", () -> rawSigned("[\"RS256\"]", claims().encode())),
        attack("non-JSON payload", () -> rawSigned(Tokens.header().encode(), "not json")),
        attack("payload that is a JSON array", () -> rawSigned(Tokens.header().encode(), "[1,2]")),
        attack("missing exp", () -> Tokens.sign(without(claims(), "exp"))),
        attack("past exp", () -> Tokens.sign(claims().put("exp", Tokens.now() - 30))),
        attack("exp equal to now", () -> Tokens.sign(claims().put("exp", Tokens.now()))),
        attack("non-numeric exp", () -> Tokens.sign(claims().put("exp", "9999999999"))),
        attack("fractional exp", () -> Tokens.sign(claims().put("exp", Tokens.now() + 60.5))),
        attack("overflowing exp", () -> rawSigned(Tokens.header().encode(),
            without(claims(), "exp").encode().replaceFirst("\\{", "{\"exp\":123456789012345678901234567890,"))),
        attack("negative exp", () -> Tokens.sign(claims().put("exp", Long.MIN_VALUE))),
        attack("future nbf", () -> Tokens.sign(claims().put("nbf", Tokens.now() + 60))),
        attack("future iat", () -> Tokens.sign(claims().put("iat", Tokens.now() + 60))),
        attack("wrong iss", () -> Tokens.sign(claims().put("iss", "https://clerk.evil.example"))),
        attack("missing azp", () -> Tokens.sign(without(claims(), "azp"))),
        attack("foreign azp", () -> Tokens.sign(claims().put("azp", "https://evil.example"))),
        attack("azp that is not a string", () -> Tokens.sign(claims().put("azp", new JsonArray().add("http://localhost:3000")))),
        attack("missing sub", () -> Tokens.sign(without(claims(), "sub"))),
        attack("empty sub", () -> Tokens.sign(claims().put("sub", ""))),
        attack("missing sid", () -> Tokens.sign(without(claims(), "sid"))),
        attack("pending session status", () -> Tokens.sign(claims().put("v", 2).put("sts", "pending"))),
        attack("machine token category", () -> Tokens.ISSUER.sign(Tokens.header().put("cat", "cl_M7d4PD111MMM"), claims())),
        attack("duplicate sub claim", () -> rawSigned(Tokens.header().encode(),
            claims().encode().replaceFirst("\\{", "{\"sub\":\"user_admin\","))),
        attack("duplicate alg header", () -> rawSigned(
            Tokens.header().encode().replaceFirst("\\{", "{\"alg\":\"none\","), claims().encode())),
        attack("token over 8 KiB", () -> Tokens.sign(claims().put("pad", "x".repeat(8 * 1024)))),
        attack("RS512 when only RS256 is enabled", () -> Tokens.ISSUER.sign(Tokens.header().put("alg", "RS512"), claims())),
        attack("PS256", () -> Tokens.ISSUER.sign(Tokens.header().put("alg", "PS256"), claims())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void hostileTokenIsUnauthorizedOnGet(String name, Supplier<String> token) {
    assertUnauthorized(service.api().get(token.get()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void hostileTokenIsUnauthorizedOnPatchAndWritesNothing(String name, Supplier<String> token) {
    Response response = service.api().patch(token.get(), "{\"preferences\": {\"timezone\": \"Europe/Kyiv\"}}");

    assertUnauthorized(response);
    assertEquals(null, service.api().get(Tokens.session("user_x")).data().getJsonObject("preferences").getValue("timezone"));
  }

  @Test
  void theSameClaimsSignedProperlyAreAccepted() {
    assertEquals(200, service.api().get(Tokens.sign(claims())).status(), "the attack baseline itself must be valid");
  }

  private static Arguments attack(String name, Supplier<String> token) {
    return Arguments.of(name, token);
  }

  private static JsonObject claims() {
    return Tokens.claims("user_x");
  }

  private static JsonObject without(JsonObject claims, String name) {
    claims.remove(name);
    return claims;
  }

  private static String b64(String text) {
    return URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String unsigned(String alg) {
    return b64(new JsonObject().put("alg", alg).put("typ", "JWT").encode()) + "." + b64(claims().encode());
  }

  private static String withoutSignature(String token) {
    return token.substring(0, token.lastIndexOf('.'));
  }

  private static String signatureOf(String token) {
    return token.substring(token.lastIndexOf('.') + 1);
  }

  /** Signs exact header and payload text with the trusted key: the signature is valid. */
  private static String rawSigned(String header, String payload) {
    String input = b64(header) + "." + b64(payload);
    try {
      java.security.Signature rsa = java.security.Signature.getInstance("SHA256withRSA");
      rsa.initSign(Tokens.ISSUER.keyPair().getPrivate());
      rsa.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + URL.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hmac(byte[] key) {
    String input = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode()) + "." + b64(claims().encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return input + "." + URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
