package meservice.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A setting the operator meant but misspelt is a check that silently does not happen
 * ({@code CLERK_AUTHORISED_PARTIES}: no azp check). So names are checked before values: every
 * key of the config file must be a setting, and so must every environment variable that looks
 * like one of ours, by its family prefix or by being a typo or three away from a setting's name.
 * The answer names the setting it probably meant.
 */
final class SettingNames {

  /** The families of our variables: any variable starting so is meant for the service. */
  static final List<String> FAMILIES = List.of("CLERK_", "DATABASE_", "DB_", "JWKS_", "AUTH_", "API_KEY_",
      "RATE_LIMIT_", "SHUTDOWN_", "HTTP_", "LOG_", "MANAGEMENT_", "ALLOW_ANY_");
  /** Other programs' variables in those families, common in the environment of any process. */
  private static final Set<String> OTHERS = Set.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");
  /**
   * OpenTelemetry's standard variables: read by its SDK (meservice.ops.Tracing), which checks
   * their values itself; never near-misses of ours, whatever their distance to one.
   */
  private static final String OPENTELEMETRY = "OTEL_";

  private SettingNames() {}

  /** Every key of the config file {@code source} is a setting. */
  static void requireKnown(Collection<String> keys, String source, Set<String> known) {
    for (String key : keys) {
      if (!known.contains(key)) {
        throw new ConfigException(source + ": " + key + " is not a setting" + suggestion(key, known));
      }
    }
  }

  /** Every variable that looks like one of ours is one. */
  static void requireKnownVariables(Collection<String> names, Set<String> known) {
    for (String name : names) {
      if (!known.contains(name) && looksLikeOurs(name, known)) {
        throw new ConfigException(name + ": not a setting of this service" + suggestion(name, known)
            + " (unset it, or rename it)");
      }
    }
  }

  static boolean looksLikeOurs(String name, Set<String> known) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (OTHERS.contains(upper) || upper.startsWith(OPENTELEMETRY)) {
      return false;
    }
    for (String family : FAMILIES) {
      if (upper.startsWith(family)) {
        return true;
      }
    }
    for (String setting : known) {
      if (distance(upper, setting) <= typos(setting)) {
        return true;
      }
    }
    return false;
  }

  /** {@code ; did you mean X?} for the nearest setting, when one is near enough to be meant. */
  static String suggestion(String name, Set<String> known) {
    String upper = name.toUpperCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String setting : known) {
      int d = distance(upper, setting.toUpperCase(Locale.ROOT));
      if (d < bestDistance) {
        best = setting;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, best.length() / 3) ? "; did you mean " + best + "?" : "";
  }

  /** Typos allowed between a stray name and a setting for it to count as meant: 1 for short names (HOST, PORT). */
  private static int typos(String setting) {
    return setting.length() <= 5 ? 1 : setting.length() <= 10 ? 2 : 3;
  }

  /** Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
