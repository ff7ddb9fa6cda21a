package meservice.me;

import java.util.ArrayList;
import java.util.List;
import meservice.crypto.Digests;
import meservice.identity.Principal;

/**
 * Strong ETags of a caller's Me state, {@code "<version>-<fingerprint>"}. The stored row's
 * {@code version} (bumped by every write, 0 before the first) fixes preferences and is_staff; the
 * fingerprint covers the rest of the payload: the caller's {@link Principal#fingerprint()} (user,
 * organization, scopes; hashed once when the credential was verified) mixed with a hash of the
 * preference registry (once, here), so a request makes its tag without hashing anything. Because
 * the version is readable from the tag, {@code If-Match} becomes a version check inside the PATCH
 * statement itself: no read-then-write race.
 */
final class ETags {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final long registry;

  ETags(Preferences preferences) {
    this.registry = Digests.sha256Prefix(preferences.patchSchema().encode());
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
    for (EntityTags tags = new EntityTags(ifNoneMatch); tags.next(); ) {
      if (tags.opaqueEquals(opaque)) {
        return true;
      }
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
    for (EntityTags tags = new EntityTags(ifMatch); tags.next(); ) {
      String opaque = tags.opaque();
      if (!tags.weak() && opaque.endsWith(suffix)) {
        try {
          versions.add(Long.parseLong(opaque.substring(0, opaque.length() - suffix.length())));
        } catch (NumberFormatException e) {
          // Not one of ours: it cannot match.
        }
      }
    }
    return versions;
  }

  /**
   * The newest stored version among this caller's tags in {@code If-None-Match} (weak or strong),
   * {@code -1} for none: the caller has seen that version, so nothing older may be served to it.
   */
  long newestVersionSeen(String ifNoneMatch, Principal principal) {
    long newest = -1;
    if (ifNoneMatch == null) {
      return newest;
    }
    String suffix = "-" + fingerprint(principal);
    for (EntityTags tags = new EntityTags(ifNoneMatch); tags.next(); ) {
      String opaque = tags.opaque();
      if (opaque.endsWith(suffix)) {
        try {
          newest = Math.max(newest, Long.parseLong(opaque.substring(0, opaque.length() - suffix.length())));
        } catch (NumberFormatException e) {
          // Not one of ours.
        }
      }
    }
    return newest;
  }

  private String fingerprint(Principal principal) {
    long bits = principal.fingerprint() ^ registry;
    char[] hex = new char[16];
    for (int i = 15; i >= 0; i--) {
      hex[i] = HEX[(int) (bits & 15)];
      bits >>>= 4;
    }
    return new String(hex);
  }

  /**
   * The entity-tags of a comma-separated list (RFC 9110 8.8.3: {@code [W/]"opaque"}, optional
   * whitespace around commas), read in place; stops at the first element that is not one.
   */
  static final class EntityTags {
    private final String header;
    private int pos;
    private int start;
    private int end;
    private boolean weak;

    EntityTags(String header) {
      this.header = header;
    }

    boolean next() {
      int n = header.length();
      int i = pos;
      if (i > 0) {
        // After a tag: optional whitespace, then a comma or the end.
        i = skipSpace(i);
        if (i == n) {
          return false;
        }
        if (header.charAt(i) != ',') {
          return false;
        }
        i++;
      }
      i = skipSpace(i);
      weak = header.startsWith("W/", i);
      if (weak) {
        i += 2;
      }
      if (i >= n || header.charAt(i) != '"') {
        return false;
      }
      int close = header.indexOf('"', i + 1);
      if (close < 0) {
        return false;
      }
      start = i + 1;
      end = close;
      pos = close + 1;
      return true;
    }

    boolean weak() {
      return weak;
    }

    String opaque() {
      return header.substring(start, end);
    }

    boolean opaqueEquals(String opaque) {
      return end - start == opaque.length() && header.startsWith(opaque, start);
    }

    private int skipSpace(int i) {
      while (i < header.length() && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
        i++;
      }
      return i;
    }
  }
}
