package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.support.RunningService;
import meservice.support.SourceAddressClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * However many addresses fail, the service's limiter holds at most AUTH_FAILURE_MAX_ADDRESSES of
 * them (the addresses come through 127.0.0.1, the trusted proxy). Letting them go once they have
 * refilled is AuthFailureLimiterTest's, on a clock. A service of its own: the flood leaves the
 * limiter full for a second.
 */
class AuthFailureFloodTest {

  private static final int MAX_ADDRESSES = 20;
  private static final Pattern TRACKED = Pattern.compile("(?m)^auth_failure_limiter_addresses(?:\\{[^}]*\\})? (\\S+)$");

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("AUTH_FAILURES_PER_SECOND", "1");
    env.put("AUTH_FAILURE_BURST", "3");
    env.put("AUTH_FAILURE_MAX_ADDRESSES", String.valueOf(MAX_ADDRESSES));
    env.put("TRUSTED_PROXIES", "127.0.0.1");
  });

  @Test
  void aFloodOfAddressesHoldsAtMostTheConfiguredNumber() {
    SourceAddressClient proxy = new SourceAddressClient("127.0.0.1", service.app().port());
    for (int i = 0; i < 10 * MAX_ADDRESSES; i++) {
      assertEquals(401, proxy.get("mek_unknown", Map.of("X-Forwarded-For", "198.18." + i / 250 + "." + i % 250)).status());
    }

    double tracked = tracked();

    assertTrue(tracked > 0 && tracked <= MAX_ADDRESSES, tracked + " addresses held");
  }

  private static double tracked() {
    Matcher matcher = TRACKED.matcher(service.api().metrics().text());
    assertTrue(matcher.find(), "no auth_failure_limiter_addresses gauge");
    return Double.parseDouble(matcher.group(1));
  }
}
