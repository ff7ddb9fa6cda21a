package meservice.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable set of Clerk signing keys and the vertx-auth-jwt verifier built from them. A JWKS
 * without a usable key is a set without a verifier ({@code verifier} null, no kid): every token is
 * refused for want of its key. vertx-auth-jwt is never given no keys: it would run "unsecure" and
 * accept {@code alg: none}.
 */
final class SigningKeys {

  /** Key ids present ({@code null} entry: a PEM key, which matches any kid). */
  final Set<String> kids;
  final JWTAuth verifier;
  /** The keys as published; equal sources mean equal key sets. */
  private final Object source;

  private SigningKeys(Set<String> kids, JWTAuth verifier, Object source) {
    this.kids = kids;
    this.verifier = verifier;
    this.source = source;
  }

  /** A refetch that brought the same keys is not a rotation: verified tokens stay verified. */
  boolean sameKeysAs(SigningKeys other) {
    return other != null && source.equals(other.source);
  }

  /** {@code kid} may be {@code null} (no kid in the token): only a PEM key matches it then. */
  boolean has(String kid) {
    return kids.contains(PEM) || (kid != null && kids.contains(kid));
  }

  private static final String PEM = "\0pem";

  static SigningKeys fromPem(Vertx vertx, String pem, List<String> algorithms) {
    JWTAuthOptions options = baseOptions();
    for (String alg : algorithms) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem));
    }
    return new SigningKeys(Set.of(PEM), JWTAuth.create(vertx, options), pem);
  }

  /**
   * The usable RSA signing keys of a JWKS document (none is a valid answer: every key was
   * withdrawn).
   *
   * @throws IllegalArgumentException when the document is no JWKS (no {@code keys} array)
   */
  static SigningKeys fromJwks(Vertx vertx, JsonObject jwks, List<String> algorithms) {
    if (!(jwks.getValue("keys") instanceof JsonArray listed)) {
      throw new IllegalArgumentException("not a JWKS: no \"keys\" array");
    }
    List<JsonObject> keys = new ArrayList<>();
    for (Object item : listed) {
      if (!(item instanceof JsonObject jwk) || !"RSA".equals(jwk.getString("kty"))) {
        continue;
      }
      if (jwk.getString("use") != null && !"sig".equals(jwk.getString("use"))) {
        continue;
      }
      String alg = jwk.getString("alg");
      for (String allowed : algorithms) {
        if (alg == null || alg.equals(allowed)) {
          keys.add(jwk.copy().put("alg", allowed));
        }
      }
    }
    if (keys.isEmpty()) {
      return new SigningKeys(Set.of(), null, List.of());
    }
    JWTAuthOptions options = baseOptions().setJwks(keys);
    Set<String> kids = keys.stream().map(k -> k.getString("kid", "")).collect(Collectors.toUnmodifiableSet());
    return new SigningKeys(kids, JWTAuth.create(vertx, options), List.copyOf(keys));
  }

  private static JWTAuthOptions baseOptions() {
    // Time claims, issuer and the Clerk-specific claims are checked by ClerkClaims, in one place.
    return new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
  }
}
