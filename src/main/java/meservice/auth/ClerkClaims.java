package meservice.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;

/**
 * The active organization of a Clerk session token, read the way Clerk's backend SDK reads it
 * ({@code @clerk/shared} {@code jwtPayloadParser}), so that a v1 and a v2 token carrying the same
 * grants give the same organization, role and permissions. Pure: no I/O, no configuration.
 *
 * <ul>
 *   <li>v1 (no {@code v}): {@code org_id}, {@code org_role} ({@code org:admin}),
 *       {@code org_permissions} (an array of {@code org:<feature>:<permission>} keys).
 *   <li>v2 ({@code v: 2}): {@code o.id}; {@code o.rol} without its prefix ({@code admin});
 *       {@code fea}, features with a scope prefix ({@code o:dashboard,u:beta}: {@code o}, {@code ou}
 *       and {@code uo} are organization features); {@code o.per}, bare permission names
 *       ({@code manage,read}); {@code o.fpm}, one decimal bitmask per organization feature, in
 *       {@code fea} order, whose bit <i>i</i> (least significant first) grants {@code o.per[i]}.
 * </ul>
 *
 * <p>A permission is kept only in the shape Clerk gives permission keys,
 * {@code org:<feature>:<permission>} with each part of lowercase letters, digits and
 * underscores ({@link #PERMISSION}); anything else a token carries there ({@code *},
 * {@code me:admin}, {@code org:x}) is no permission, and is returned apart for the log.
 */
final class ClerkClaims {

  /**
   * {@code role} is {@code null} when the claim names none; permissions keep the token's order;
   * {@code ignored}: what the token had among its permissions that is not of their shape.
   */
  record Organization(String id, String role, List<String> permissions, List<String> ignored) {}

  private static final Pattern DIGITS = Pattern.compile("\\d+");
  /** Clerk's permission key: "org:feature:action", each segment lowercase letters, digits or underscores. */
  static final Pattern PERMISSION = Pattern.compile("org:[a-z0-9_]+:[a-z0-9_]+");

  private ClerkClaims() {}

  /**
   * The active organization, or {@code null} when none is.
   *
   * @throws AuthFailure {@link AuthFailureReason#CLAIMS} when organization claims are present but
   *     cannot be read (a wrong JSON type, a {@code fea} entry without a scope): Clerk's SDK fails
   *     on those too, so no permission is guessed
   */
  static Organization organization(JsonObject claims) {
    if (claims.getValue("v") instanceof Integer v && v == 2) {
      return v2(claims);
    }
    String id = optionalText(claims, "org_id");
    if (id == null) {
      return null;
    }
    List<String> permissions = new ArrayList<>();
    Object listed = claims.getValue("org_permissions");
    if (listed instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String permission)) {
          throw invalid("org_permissions holds a non-string");
        }
        if (!permission.isBlank()) {
          permissions.add(permission);
        }
      }
    } else if (listed != null) {
      throw invalid("org_permissions is not an array");
    }
    return organization(id, optionalText(claims, "org_role"), permissions);
  }

  /** The organization, its permissions split into those of Clerk's shape and the rest. */
  private static Organization organization(String id, String role, List<String> candidates) {
    List<String> permissions = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String candidate : candidates) {
      (PERMISSION.matcher(candidate).matches() ? permissions : ignored).add(candidate);
    }
    return new Organization(id, role, List.copyOf(permissions), List.copyOf(ignored));
  }

  private static Organization v2(JsonObject claims) {
    Object o = claims.getValue("o");
    if (o == null) {
      return null;
    }
    if (!(o instanceof JsonObject org)) {
      throw invalid("o is not an object");
    }
    String id = optionalText(org, "id");
    if (id == null) {
      return null;
    }
    String rol = optionalText(org, "rol");
    List<String> permissions = permissions(
        organizationFeatures(optionalText(claims, "fea")), optionalText(org, "per"), optionalText(org, "fpm"));
    return organization(id, rol == null ? null : "org:" + rol, permissions);
  }

  /** The organization features of {@code fea}, in order ({@code o:}, {@code ou:}, {@code uo:}). */
  static List<String> organizationFeatures(String fea) {
    if (fea == null) {
      return List.of();
    }
    List<String> features = new ArrayList<>();
    for (String entry : fea.split(",", -1)) {
      String item = entry.trim();
      int colon = item.indexOf(':');
      if (colon < 0) {
        throw invalid("fea entry without a scope");
      }
      String scope = item.substring(0, colon);
      if (scope.equals("o") || scope.equals("ou") || scope.equals("uo")) {
        features.add(item.substring(colon + 1));
      }
    }
    return features;
  }

  /**
   * {@code org:<feature>:<permission>} for every bit set in the feature's mask. As in the SDK: no
   * {@code per} or no {@code fpm} grants nothing; a feature without a mask, or a mask that is not
   * a plain decimal (negative, fractional, {@code 1invalid}), grants nothing; masks beyond the
   * features and bits beyond {@code per} are ignored; masks may exceed 2^53 (exact arithmetic).
   * Unlike the SDK, an empty permission name grants nothing rather than {@code org:<feature>:}.
   */
  static List<String> permissions(List<String> features, String per, String fpm) {
    if (per == null || fpm == null || features.isEmpty()) {
      return List.of();
    }
    String[] names = per.split(",", -1);
    String[] masks = fpm.split(",", -1);
    List<String> granted = new ArrayList<>();
    for (int f = 0; f < features.size() && f < masks.length; f++) {
      String mask = masks[f].trim();
      if (!DIGITS.matcher(mask).matches()) {
        continue;
      }
      BigInteger bits = new BigInteger(mask);
      for (int p = 0; p < names.length && p < bits.bitLength(); p++) {
        String name = names[p].trim();
        if (bits.testBit(p) && !name.isEmpty()) {
          granted.add("org:" + features.get(f) + ":" + name);
        }
      }
    }
    return List.copyOf(granted);
  }

  /** A string claim; absent or empty is {@code null}, any other type is refused. */
  private static String optionalText(JsonObject object, String name) {
    Object value = object.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid(name + " is not a string");
    }
    return text.isEmpty() ? null : text;
  }

  private static AuthFailure invalid(String detail) {
    return AuthFailure.of(AuthFailureReason.CLAIMS, "organization claims: " + detail);
  }
}
