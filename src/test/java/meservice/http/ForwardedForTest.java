package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.SourceAddressClient;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behind a load balancer (127.0.0.1 is the trusted proxy here) failed authentications are counted
 * by the address the proxy forwards; from any other peer X-Forwarded-For is ignored.
 */
class ForwardedForTest {

  private static final int BURST = 3;

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("AUTH_FAILURES_PER_SECOND", "1");
    env.put("AUTH_FAILURE_BURST", String.valueOf(BURST));
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
}
