package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import meservice.config.AppConfig;
import meservice.http.StrictJson;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import meservice.identity.Ids;
import meservice.identity.Principal;
import meservice.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a Clerk session token and turns it into a {@link Principal.ClerkUser}. Every rule of
 * the contract's authentication section lives here; any failure is an {@link AuthFailure} (a 401
 * whose reason is logged and counted, never shown). The signature itself is checked by
 * vertx-auth-jwt against {@link KeySource} keys; claims are read by {@link ClerkClaims}.
 */
public final class ClerkTokenVerifier {

  static final int MAX_TOKEN_CHARS = 8 * 1024;
  private static final Set<String> FORBIDDEN_HEADERS = Set.of("jku", "x5u", "jwk", "x5c", "crit");
  private static final Set<String> ACCEPTED_CAT = Set.of("cl_B7d4PD111AAA", "cl_I7d4PD111III");
  private static final Logger LOG = LoggerFactory.getLogger(ClerkTokenVerifier.class);

  private final KeySource keys;
  private final Set<String> algorithms;
  private final String issuer;
  private final boolean anyIssuer;
  private final Set<String> authorizedParties;
  private final boolean anyAuthorizedParty;
  private final long skewSeconds;
  private final List<String> userScopes;
  private final Map<String, List<String>> roleScopes;
  /** Scopes only a role grants: a permission of the same spelling does not. */
  private final Set<String> roleOnlyScopes;
  private final Clock clock;
  private final VerifiedTokens verified;

  /** {@code clerk}: which tokens are accepted; {@code scopes}: what an accepted token may do. */
  public ClerkTokenVerifier(KeySource keys, AppConfig.Clerk clerk, AppConfig.Scopes scopes) {
    this(keys, clerk, scopes, Clock.systemUTC());
  }

  /** {@code clock} is what {@code exp}, {@code nbf} and {@code iat} are compared with. */
  ClerkTokenVerifier(KeySource keys, AppConfig.Clerk clerk, AppConfig.Scopes scopes, Clock clock) {
    this.keys = keys;
    this.clock = clock;
    this.algorithms = Set.copyOf(clerk.algorithms());
    this.issuer = clerk.issuer();
    this.anyIssuer = clerk.anyIssuer();
    this.authorizedParties = Set.copyOf(clerk.authorizedParties());
    this.anyAuthorizedParty = clerk.anyAuthorizedParty();
    this.skewSeconds = clerk.clockSkew().toSeconds();
    this.userScopes = scopes.user();
    this.roleScopes = scopes.roles();
    this.roleOnlyScopes = roleScopes.values().stream().flatMap(List::stream)
        .filter(scope -> !userScopes.contains(scope)).collect(Collectors.toUnmodifiableSet());
    this.verified = new VerifiedTokens(VerifiedTokens.DEFAULT_MAX_ENTRIES, skewSeconds);
  }

  /** {@code requestId} only labels the log line of a token accepted with a remark (see docs/design.md). */
  public Future<Principal.ClerkUser> verify(String token, String requestId) {
    return verify(token, 0, token.length(), requestId);
  }

  /**
   * The token at {@code [start, end)} of {@code text} (an {@code Authorization} header): a token
   * verified before is found by the hash of those characters, without copying them.
   */
  public Future<Principal.ClerkUser> verify(String text, int start, int end, String requestId) {
    long now = clock.millis() / 1000;
    VerifiedTokens.Key cacheKey = VerifiedTokens.key(text, start, end);
    Principal.ClerkUser known = verified.get(cacheKey, keys.current(), now);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String token = start == 0 && end == text.length() ? text : text.substring(start, end);
    JsonObject claims;
    String kid;
    ClerkClaims.Organization org;
    try {
      String[] parts = split(token);
      JsonObject header = decodeJson(parts[0], "header");
      claims = decodeJson(parts[1], "payload");
      kid = checkHeader(header);
      checkClaims(claims, now);
      org = ClerkClaims.organization(claims);
    } catch (AuthFailure e) {
      return Future.failedFuture(e);
    }
    return keys.keysFor(kid)
        .compose(signing -> {
          if (signing == null) {
            return Future.failedFuture(fail(AuthFailureReason.NO_KEYS, "no signing keys loaded"));
          }
          if (!signing.has(kid) || signing.verifier == null) {
            return Future.failedFuture(fail(AuthFailureReason.SIGNATURE, "no key with kid " + LogSafe.quote(kid)));
          }
          return signing.verifier.authenticate(new TokenCredentials(token))
              .map(user -> remember(cacheKey, claims, org, signing, requestId));
        })
        .recover(err -> Future.failedFuture(err instanceof AuthFailure e ? e
            // The library's wording may echo parts of the unverified token.
            : fail(AuthFailureReason.SIGNATURE, "signature: " + LogSafe.quote(err.getMessage()))));
  }

  /** Only a token that passed every rule gets here; its time claims are re-checked on each hit. */
  private Principal.ClerkUser remember(VerifiedTokens.Key cacheKey, JsonObject claims,
      ClerkClaims.Organization org, SigningKeys signing, String requestId) {
    Principal.ClerkUser principal = principal(claims.getString("sub"), org, requestId);
    long nbf = claims.containsKey("nbf") ? claims.getLong("nbf") : Long.MIN_VALUE;
    verified.put(cacheKey, new VerifiedTokens.Entry(principal, claims.getLong("exp"), nbf, signing), keys.current());
    return principal;
  }

  private static String[] split(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw fail(AuthFailureReason.MALFORMED, "token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw fail(AuthFailureReason.MALFORMED, "token has " + parts.length + " segments, not 3");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw fail(AuthFailureReason.MALFORMED, "token has an empty segment");
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
    throw fail(AuthFailureReason.MALFORMED, what + " is not a base64url JSON object without duplicate members");
  }

  /**
   * The header as Clerk writes it ({@code alg}, {@code kid}, {@code typ: JWT}, maybe {@code cat}),
   * or a 401. Returns the {@code kid}; {@code null} only when a PEM key (which has no id) verifies.
   */
  private String checkHeader(JsonObject header) {
    Object alg = header.getValue("alg");
    if (!(alg instanceof String algorithm && algorithms.contains(algorithm))) {
      throw fail(AuthFailureReason.ALGORITHM, "alg " + LogSafe.quote(alg) + " not allowed");
    }
    for (String name : FORBIDDEN_HEADERS) {
      if (header.containsKey(name)) {
        throw fail(AuthFailureReason.HEADER, "header " + name + " not allowed");
      }
    }
    Object kid = header.getValue("kid");
    if (kid != null && !(kid instanceof String)) {
      throw fail(AuthFailureReason.HEADER, "kid " + LogSafe.quote(kid) + " is not a string");
    }
    if (kid == null && keys.requiresKid()) {
      throw fail(AuthFailureReason.HEADER, "no kid, and keys come from a JWKS");
    }
    Object typ = header.getValue("typ");
    if (typ != null && !(typ instanceof String type && type.equalsIgnoreCase("JWT"))) {
      throw fail(AuthFailureReason.HEADER, "typ " + LogSafe.quote(typ) + " is not JWT");
    }
    if (header.containsKey("cat") && !(header.getValue("cat") instanceof String cat && ACCEPTED_CAT.contains(cat))) {
      throw fail(AuthFailureReason.CLAIMS, "token category " + LogSafe.quote(header.getValue("cat")) + " is not a session token");
    }
    return (String) kid;
  }

  private void checkClaims(JsonObject claims, long now) {
    long exp = numericDate(claims, "exp");
    if (now - skewSeconds >= exp) {
      throw fail(AuthFailureReason.EXPIRED, "token expired");
    }
    if (claims.containsKey("nbf") && numericDate(claims, "nbf") > now + skewSeconds) {
      throw fail(AuthFailureReason.NOT_YET_VALID, "token not yet valid (nbf)");
    }
    if (claims.containsKey("iat") && numericDate(claims, "iat") > now + skewSeconds) {
      throw fail(AuthFailureReason.NOT_YET_VALID, "token issued in the future (iat)");
    }
    // Unset without an opt-out, the check still runs, and refuses every token: serve never gets
    // here that way (App refuses to start), but a missing setting must never mean "any".
    if (!(issuer == null && anyIssuer) && !(issuer != null && issuer.equals(claims.getValue("iss")))) {
      throw fail(AuthFailureReason.ISSUER, "issuer " + LogSafe.quote(claims.getValue("iss")) + " not accepted");
    }
    if (!(authorizedParties.isEmpty() && anyAuthorizedParty)
        && !(claims.getValue("azp") instanceof String azp && authorizedParties.contains(azp))) {
      throw fail(AuthFailureReason.AUTHORIZED_PARTY,
          "authorized party " + LogSafe.quote(claims.getValue("azp")) + " not accepted");
    }
    requireText(claims, "sub");
    requireText(claims, "sid");
    if ("pending".equals(claims.getValue("sts"))) {
      throw fail(AuthFailureReason.CLAIMS, "session status is pending");
    }
  }

  private static long numericDate(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw fail(AuthFailureReason.CLAIMS, name + " is missing or not an integer NumericDate");
  }

  private static void requireText(JsonObject claims, String name) {
    if (!(claims.getValue(name) instanceof String s && !s.isEmpty())) {
      throw fail(AuthFailureReason.CLAIMS, name + " is missing");
    }
  }

  /**
   * {@code user_scopes}, plus for an active organization its role's {@code role_scopes} and the
   * token's organization permissions. An organization without a role is still active (its id and
   * permissions count) but brings no role scopes: logged, since Clerk always sends a role.
   * A permission that spells a scope some role grants ({@code org:members:manage} is the admin
   * role's) is not granted by the permission: only the role grants it. Permissions not of Clerk's
   * shape never become scopes ({@link ClerkClaims}). Both are logged.
   */
  private Principal.ClerkUser principal(String sub, ClerkClaims.Organization org, String requestId) {
    TreeSet<String> scopes = new TreeSet<>(userScopes);
    if (org != null) {
      if (org.role() == null) {
        LOG.atInfo().addKeyValue("request_id", requestId)
            .log("organization claim without a role: organization {} active, no role scopes", LogSafe.quote(org.id()));
      } else {
        scopes.addAll(roleScopes.getOrDefault(org.role(), List.of()));
      }
      for (String permission : org.permissions()) {
        if (roleOnlyScopes.contains(permission)) {
          LOG.atInfo().addKeyValue("request_id", requestId)
              .log("organization permission {} is a role's scope: not granted by a permission", LogSafe.quote(permission));
        } else {
          scopes.add(permission);
        }
      }
      if (!org.ignored().isEmpty()) {
        LOG.atInfo().addKeyValue("request_id", requestId).log("{} organization permission(s) not of the form "
            + "org:<feature>:<permission> ignored, first {}", org.ignored().size(), LogSafe.quote(org.ignored().get(0)));
      }
    }
    return new Principal.ClerkUser(sub, Ids.userId(sub), Ids.orgId(org == null ? null : org.id()), List.copyOf(scopes));
  }

  private static AuthFailure fail(AuthFailureReason reason, String detail) {
    return AuthFailure.of(reason, detail);
  }
}
