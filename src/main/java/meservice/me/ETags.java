package meservice.me;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.auth.Principal;

/**
 * Strong ETags of a caller's Me state, {@code "<version>-<fingerprint>"}. The stored row's
 * {@code version} (bumped by every write, 0 before the first) fixes preferences and is_staff; the
 * fingerprint hashes the rest of the payload (user, organization, scopes, the preference
 * registry). Because the version is readable from the tag, {@code If-Match} becomes a version
 * check inside the PATCH statement itself: no read-then-write race.
 */
final class ETags {

  private static final Pattern ENTITY_TAG = Pattern.compile("\\s*(W/)?\"([^\"]*)\"\\s*(,|$)");

  /** The registry's schema, hashed once: each tag then hashes only the caller's part. */
  private final String registry;

  ETags(Preferences preferences) {
    this.registry = sha256(preferences.patchSchema().encode());
  }

  String of(Principal principal, long version) {
    return "\"" + version + "-" + fingerprint(principal) + "\"";
  }

  /** {@code If-None-Match}: weak comparison, {@code *} matches any current representation. */
  static boolean noneMatchFails(String ifNoneMatch, String current) {
    if (ifNoneMatch == null) {
      return false;
    }
    if (ifNoneMatch.trim().equals("*")) {
      return true;
    }
    String opaque = current.substring(1, current.length() - 1);
    Matcher m = ENTITY_TAG.matcher(ifNoneMatch);
    while (m.lookingAt()) {
      if (m.group(2).equals(opaque)) {
        return true;
      }
      m.region(m.end(), ifNoneMatch.length());
    }
    return false;
  }

  /**
   * {@code If-Match} as the stored versions it accepts for this caller: {@code null} when there is
   * no condition (absent, or {@code *}: the Me representation always exists), else the versions of
   * the strong tags carrying this caller's fingerprint, possibly none (then nothing can match).
   */
  List<Long> acceptedVersions(String ifMatch, Principal principal) {
    if (ifMatch == null || ifMatch.trim().equals("*")) {
      return null;
    }
    String suffix = "-" + fingerprint(principal);
    List<Long> versions = new ArrayList<>();
    Matcher m = ENTITY_TAG.matcher(ifMatch);
    while (m.lookingAt()) {
      String opaque = m.group(2);
      if (m.group(1) == null && opaque.endsWith(suffix)) {
        try {
          versions.add(Long.parseLong(opaque.substring(0, opaque.length() - suffix.length())));
        } catch (NumberFormatException e) {
          // Not one of ours: it cannot match.
        }
      }
      m.region(m.end(), ifMatch.length());
    }
    return versions;
  }

  private String fingerprint(Principal principal) {
    String userId = principal instanceof Principal.ClerkUser user ? user.userId().toString() : "";
    return sha256(userId + "|" + principal.orgId() + "|" + String.join(",", principal.scopes()) + "|" + registry)
        .substring(0, 16);
  }

  private static String sha256(String input) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
