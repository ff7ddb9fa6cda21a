package meservice.support;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code auth_failures_total} from the service's own {@code GET /metrics} (its management port). */
public final class AuthFailureMetrics {

  private static final Pattern SAMPLE = Pattern.compile("(?m)^auth_failures_total\\{reason=\"([a-z_]+)\"} (\\S+)$");

  private AuthFailureMetrics() {}

  /** The count for {@code reason}; 0 when the sample is absent. */
  public static double count(Api api, String reason) {
    return all(api).getOrDefault(reason, 0.0);
  }

  /** Every reason's count. */
  public static Map<String, Double> all(Api api) {
    Matcher m = SAMPLE.matcher(api.metrics().text());
    Map<String, Double> counts = new TreeMap<>();
    while (m.find()) {
      counts.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return counts;
  }
}
