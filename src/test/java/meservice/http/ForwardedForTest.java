package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.SourceAddressClient;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behind a load balancer (127.0.0.1 is the trusted proxy here) failed authentications are counted
 * by the address the proxy forwards; from any other peer X-Forwarded-For is ignored. However
 * many addresses fail, the limiter holds at most AUTH_FAILURE_MAX_ADDRESSES of them.
 */
class ForwardedForTest {

  private static final int BURST = 3;
  private static final int MAX_ADDRESSES = 20;
  private static final Pattern TRACKED = Pattern.compile("(?m)^auth_failure_limiter_addresses(?:\\{[^}]*\\})? (\\S+)$");

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("AUTH_FAILURES_PER_SECOND", "1");
    env.put("AUTH_FAILURE_BURST", String.valueOf(BURST));
    env.put("AUTH_FAILURE_MAX_ADDRESSES", String.valueOf(MAX_ADDRESSES));
    env.put("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1");
  });

  @Test
  void behindATrustedProxyEachForwardedAddressHasItsOwnLimit() {
    SourceAddressClient proxy = client("127.0.0.1");
    String token = Tokens.session(Tokens.newUserId());
    // What a client wrote itself (left) is ignored; the proxy's own entry (right) is the client.
    Map<String, String> attacker = Map.of("X-Forwarded-For", "192.0.2.99, 203.0.113.7");
    Map<String, String> user = Map.of("X-Forwarded-For", "203.0.113.8, 10.1.2.3");

    assertEquals(429, failUntilLimited(proxy, attacker).status());
    assertEquals(429, proxy.get("mek_unknown", Map.of("X-Forwarded-For", "192.0.2.1, 203.0.113.7")).status(),
        "a spoofed left-most entry does not escape the limit");
    assertEquals(200, proxy.get(token, user).status(), "another forwarded address, through the same proxy");
    assertEquals(200, proxy.get(token, Map.of()).status(), "the proxy's own address is not limited either");
  }

  @Test
  void anUntrustedPeerCannotChooseTheAddressItIsLimitedAs() {
    SourceAddressClient peer = client("127.0.0.6");
    int sent = 0;
    Response response;
    do {
      response = peer.get("mek_unknown", Map.of("X-Forwarded-For", "198.51.100." + sent));
      assertTrue(++sent < 10 * BURST, "never limited: the forwarded address was believed");
    } while (response.status() == 401);
    assertEquals(429, response.status());
  }

  @Test
  void aFloodOfAddressesHoldsAtMostTheConfiguredNumber() throws InterruptedException {
    SourceAddressClient proxy = client("127.0.0.1");
    for (int i = 0; i < 10 * MAX_ADDRESSES; i++) {
      assertEquals(401, proxy.get("mek_unknown", Map.of("X-Forwarded-For", "198.18." + i / 250 + "." + i % 250)).status());
    }
    double tracked = tracked();
    assertTrue(tracked > 0 && tracked <= MAX_ADDRESSES, tracked + " addresses held");

    // Each flooding address failed once: its bucket is full again within a second and is let go.
    Thread.sleep(1_500);
    assertEquals(429, failUntilLimited(proxy, Map.of("X-Forwarded-For", "198.19.0.1")).status(),
        "once the flood has passed, a new address is limited again");
    assertTrue(tracked() <= MAX_ADDRESSES);
  }

  private static Response failUntilLimited(SourceAddressClient client, Map<String, String> headers) {
    int sent = 0;
    Response response;
    do {
      response = client.get("mek_unknown", headers);
      assertTrue(++sent < 10 * BURST, "never limited");
    } while (response.status() == 401);
    return response;
  }

  private static SourceAddressClient client(String address) {
    return new SourceAddressClient(address, service.app().port());
  }

  private static double tracked() {
    String metrics = service.api().metrics().text();
    Matcher matcher = TRACKED.matcher(metrics);
    assertTrue(matcher.find(), "no auth_failure_limiter_addresses gauge");
    return Double.parseDouble(matcher.group(1));
  }
}
