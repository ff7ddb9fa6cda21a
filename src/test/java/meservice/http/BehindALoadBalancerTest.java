package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.Haproxy;
import meservice.support.RunningService;
import meservice.support.SourceAddressClient;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real HAProxy in front (appending the client to {@code X-Forwarded-For}), {@code TRUSTED_PROXIES}
 * left empty as a first deployment leaves it, the failed-authentication limit at its defaults
 * (5 a second, a burst of 30). Every request reaches the service from the balancer's address; one
 * client flooding forged tokens through it is limited, and the balancer's other clients are not.
 */
class BehindALoadBalancerTest {

  private static final int BURST = 30;

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("AUTH_FAILURES_PER_SECOND", "5");
    env.put("AUTH_FAILURE_BURST", String.valueOf(BURST));
  });

  private static Haproxy haproxy;

  @BeforeAll
  static void balancer() throws Exception {
    haproxy = Haproxy.start(service.app().port());
  }

  @AfterAll
  static void stopBalancer() throws Exception {
    haproxy.close();
  }

  @Test
  void oneClientFloodingForgedTokensDoesNotLockOutAnotherClientOfTheSameBalancer() {
    SourceAddressClient flooder = new SourceAddressClient("127.0.0.2", haproxy.port());
    SourceAddressClient user = new SourceAddressClient("127.0.0.3", haproxy.port());
    String token = Tokens.session(Tokens.newUserId());

    assertEquals(429, floodUntilLimited(flooder, Map.of()).status(), haproxy.log());

    for (int i = 0; i < 5; i++) {
      assertEquals(200, user.get(token, Map.of()).status(), "the other client signs in");
    }
  }

  @Test
  void aFlooderWritingItsOwnForwardedForIsStillLimitedAsItself() {
    SourceAddressClient flooder = new SourceAddressClient("127.0.0.4", haproxy.port());

    // The balancer appends the real client right of whatever the client wrote.
    Response limited = floodUntilLimited(flooder, Map.of("X-Forwarded-For", "198.51.100.1"));

    assertEquals(429, limited.status());
    assertEquals(429, flooder.get(forged(), Map.of("X-Forwarded-For", "198.51.100.2")).status());
  }

  private static Response floodUntilLimited(SourceAddressClient client, Map<String, String> headers) {
    String forged = forged();
    for (int sent = 0; sent < 10 * BURST; sent++) {
      Response response = client.get(forged, headers);
      if (response.status() != 401) {
        return response;
      }
    }
    throw new AssertionError("never limited after " + 10 * BURST + " forged tokens");
  }

  /** A well-formed token signed by a key the service does not trust: a signature check, then 401. */
  private static String forged() {
    return Tokens.STRANGER.sign(Tokens.header(), Tokens.claims(Tokens.newUserId()));
  }
}
