package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import meservice.config.AppConfig;
import meservice.http.ApiError;
import meservice.http.StrictJson;

/**
 * Verifies a Clerk session token and turns it into a {@link Principal.ClerkUser}. Every rule of
 * the contract's authentication section lives here; any failure is a 401 whose reason is logged,
 * never shown. The signature itself is checked by vertx-auth-jwt against {@link KeySource} keys.
 */
public final class ClerkTokenVerifier {

  static final int MAX_TOKEN_CHARS = 8 * 1024;
  private static final Set<String> FORBIDDEN_HEADERS = Set.of("jku", "x5u", "jwk", "x5c", "crit");
  private static final Set<String> ACCEPTED_CAT = Set.of("cl_B7d4PD111AAA", "cl_I7d4PD111III");

  private final KeySource keys;
  private final Set<String> algorithms;
  private final String issuer;
  private final Set<String> authorizedParties;
  private final long skewSeconds;
  private final List<String> userScopes;
  private final Map<String, List<String>> roleScopes;
  private final VerifiedTokens verified;

  public ClerkTokenVerifier(KeySource keys, AppConfig config) {
    this.keys = keys;
    this.algorithms = Set.copyOf(config.jwtAlgorithms());
    this.issuer = config.clerkIssuer();
    this.authorizedParties = Set.copyOf(config.authorizedParties());
    this.skewSeconds = config.clockSkewSeconds();
    this.userScopes = config.userScopes();
    this.roleScopes = config.roleScopes();
    this.verified = new VerifiedTokens(VerifiedTokens.DEFAULT_MAX_ENTRIES, skewSeconds);
  }

  public Future<Principal.ClerkUser> verify(String token) {
    long now = System.currentTimeMillis() / 1000;
    VerifiedTokens.Key cacheKey = VerifiedTokens.key(token);
    Principal.ClerkUser known = verified.get(cacheKey, keys.current(), now);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    JsonObject header;
    JsonObject claims;
    try {
      String[] parts = split(token);
      header = decodeJson(parts[0], "header");
      claims = decodeJson(parts[1], "payload");
      checkHeader(header);
      checkClaims(claims, now);
    } catch (ApiError e) {
      return Future.failedFuture(e);
    }
    String kid = header.getValue("kid") instanceof String s ? s : null;
    return keys.keysFor(kid)
        .compose(signing -> {
          if (signing == null) {
            return Future.failedFuture(ApiError.unauthorized("no signing keys loaded"));
          }
          return signing.verifier.authenticate(new TokenCredentials(token))
              .map(user -> remember(cacheKey, claims, signing, now));
        })
        .recover(err -> Future.failedFuture(err instanceof ApiError e ? e
            : ApiError.unauthorized("signature: " + err.getMessage())));
  }

  /** Only a token that passed every rule gets here; its time claims are re-checked on each hit. */
  private Principal.ClerkUser remember(VerifiedTokens.Key cacheKey, JsonObject claims, SigningKeys signing, long now) {
    Principal.ClerkUser principal = principal(claims);
    long nbf = claims.containsKey("nbf") ? claims.getLong("nbf") : Long.MIN_VALUE;
    verified.put(cacheKey, new VerifiedTokens.Entry(principal, claims.getLong("exp"), nbf, signing), keys.current(), now);
    return principal;
  }

  private static String[] split(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw ApiError.unauthorized("token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw ApiError.unauthorized("token has " + parts.length + " segments, not 3");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw ApiError.unauthorized("token has an empty segment");
      }
    }
    return parts;
  }

  private static JsonObject decodeJson(String segment, String what) {
    try {
      if (StrictJson.decode(Base64.getUrlDecoder().decode(segment)) instanceof JsonObject object) {
        return object;
      }
    } catch (RuntimeException e) {
      // Falls through to the one rejection below.
    }
    throw ApiError.unauthorized(what + " is not a base64url JSON object without duplicate members");
  }

  private void checkHeader(JsonObject header) {
    Object alg = header.getValue("alg");
    if (!(alg instanceof String algorithm && algorithms.contains(algorithm))) {
      throw ApiError.unauthorized("alg " + alg + " not allowed");
    }
    for (String name : FORBIDDEN_HEADERS) {
      if (header.containsKey(name)) {
        throw ApiError.unauthorized("header " + name + " not allowed");
      }
    }
    if (header.containsKey("kid") && !(header.getValue("kid") instanceof String)) {
      throw ApiError.unauthorized("kid is not a string");
    }
    if (header.containsKey("cat") && !(header.getValue("cat") instanceof String cat && ACCEPTED_CAT.contains(cat))) {
      throw ApiError.unauthorized("token category " + header.getValue("cat") + " is not a session token");
    }
  }

  private void checkClaims(JsonObject claims, long now) {
    long exp = numericDate(claims, "exp");
    if (now - skewSeconds >= exp) {
      throw ApiError.unauthorized("token expired");
    }
    if (claims.containsKey("nbf") && numericDate(claims, "nbf") > now + skewSeconds) {
      throw ApiError.unauthorized("token not yet valid (nbf)");
    }
    if (claims.containsKey("iat") && numericDate(claims, "iat") > now + skewSeconds) {
      throw ApiError.unauthorized("token issued in the future (iat)");
    }
    if (issuer != null && !issuer.equals(claims.getValue("iss"))) {
      throw ApiError.unauthorized("issuer " + claims.getValue("iss") + " not accepted");
    }
    if (!authorizedParties.isEmpty()
        && !(claims.getValue("azp") instanceof String azp && authorizedParties.contains(azp))) {
      throw ApiError.unauthorized("authorized party " + claims.getValue("azp") + " not accepted");
    }
    requireText(claims, "sub");
    requireText(claims, "sid");
    if ("pending".equals(claims.getValue("sts"))) {
      throw ApiError.unauthorized("session status is pending");
    }
  }

  private static long numericDate(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw ApiError.unauthorized(name + " is missing or not an integer NumericDate");
  }

  private static String requireText(JsonObject claims, String name) {
    if (claims.getValue(name) instanceof String s && !s.isEmpty()) {
      return s;
    }
    throw ApiError.unauthorized(name + " is missing");
  }

  /** v1 claims: org_id, org_role, org_permissions. v2 ({@code v: 2}): o.id, o.rol, o.per. */
  private Principal.ClerkUser principal(JsonObject claims) {
    String sub = claims.getString("sub");
    String orgId;
    String role;
    Collection<?> permissions;
    if (claims.getValue("v") instanceof Number v && v.intValue() == 2) {
      JsonObject org = claims.getValue("o") instanceof JsonObject o ? o : new JsonObject();
      orgId = text(org.getValue("id"));
      String rol = text(org.getValue("rol"));
      role = rol == null || rol.startsWith("org:") ? rol : "org:" + rol;
      permissions = list(org.getValue("per"));
    } else {
      orgId = text(claims.getValue("org_id"));
      role = text(claims.getValue("org_role"));
      permissions = list(claims.getValue("org_permissions"));
    }
    TreeSet<String> scopes = new TreeSet<>(userScopes);
    if (orgId != null) {
      scopes.addAll(roleScopes.getOrDefault(role, List.of()));
      for (Object permission : permissions) {
        if (permission instanceof String p && !p.isBlank()) {
          scopes.add(p);
        }
      }
    }
    return new Principal.ClerkUser(sub, Ids.userId(sub), Ids.orgId(orgId), List.copyOf(scopes));
  }

  private static String text(Object value) {
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  private static Collection<?> list(Object value) {
    if (value instanceof JsonArray array) {
      return array.getList();
    }
    if (value instanceof String s) {
      return List.of(s.split(","));
    }
    return List.of();
  }
}
