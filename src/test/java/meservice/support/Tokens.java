package meservice.support;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import meservice.dev.LocalIssuer;

/** Real RS256 session tokens signed by keys the tests make, shaped like Clerk's. */
public final class Tokens {

  public static final LocalIssuer ISSUER = LocalIssuer.generate("test-key-1");
  public static final LocalIssuer STRANGER = LocalIssuer.generate("test-key-1");

  private Tokens() {}

  public static String newUserId() {
    return "user_" + UUID.randomUUID().toString().replace("-", "");
  }

  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** The claims of a valid session of {@code sub} without an active organization. */
  public static JsonObject claims(String sub) {
    long now = now();
    return new JsonObject()
        .put("iss", LocalIssuer.ISSUER)
        .put("azp", LocalIssuer.AUTHORIZED_PARTY)
        .put("sub", sub)
        .put("sid", "sess_" + sub)
        .put("iat", now - 1)
        .put("nbf", now - 10)
        .put("exp", now + 60);
  }

  public static JsonObject header() {
    return new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", ISSUER.kid());
  }

  public static String sign(JsonObject claims) {
    return ISSUER.sign(header(), claims);
  }

  public static String session(String sub) {
    return sign(claims(sub));
  }
}
