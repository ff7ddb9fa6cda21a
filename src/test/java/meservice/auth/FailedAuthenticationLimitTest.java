package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.SourceAddressClient;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failed authentications are limited per client address (here the TCP peer: several loopback
 * addresses stand for several clients). Only failures count, so callers sharing an address with
 * a few failing ones keep working; an address that keeps failing gets 429 before its credentials
 * are looked at, whatever they are, until its wait has passed (AuthFailureLimiterTest, on a clock).
 */
class FailedAuthenticationLimitTest {

  private static final int BURST = 5;
  private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> {
    env.put("AUTH_FAILURES_PER_SECOND", "1");
    env.put("AUTH_FAILURE_BURST", String.valueOf(BURST));
  });

  @Test
  void manyFailuresFromOneAddressGet429WhileAnotherAddressKeepsWorking() {
    SourceAddressClient attacker = client("127.0.0.2");
    SourceAddressClient user = client("127.0.0.3");
    String token = Tokens.session(Tokens.newUserId());

    long started = System.nanoTime();
    int unauthorized = 0;
    Response limited = null;
    for (int i = 0; i < 6 * BURST; i++) {
      Response response = attacker.get(i % 3 == 0 ? "eyJnot.a.token" : unknownApiKey(), Map.of());
      if (response.status() == 401) {
        unauthorized++;
      } else {
        limited = response;
      }
      assertEquals(200, user.get(token, Map.of()).status(), "the user at another address, request " + i);
    }
    double elapsed = (System.nanoTime() - started) / 1e9;

    assertTrue(limited != null, "no failed authentication was limited");
    assertEquals(429, limited.status());
    assertEquals("RATE_LIMITED", limited.error().getString("code"));
    assertEquals(limited.header("X-Request-Id"), limited.error().getString("request_id"));
    assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
    assertTrue(unauthorized <= BURST + Math.ceil(elapsed) + 1, unauthorized + " failures looked at in " + elapsed + " s");
    assertEquals(200, user.patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}").status(),
        "the other address writes too");
  }

  @Test
  void onlyFailuresCountSoCallersSharingAnAddressKeepWorking() {
    SourceAddressClient office = client("127.0.0.4");
    String token = Tokens.session(Tokens.newUserId());

    for (int i = 0; i < BURST - 1; i++) {
      assertEquals(401, office.get(unknownApiKey(), Map.of()).status());
    }
    for (int i = 0; i < 4 * BURST; i++) {
      assertEquals(200, office.get(token, Map.of()).status(), "success " + i + " after a few failures at the address");
    }
    int failures = BURST - 1;
    while (office.get(unknownApiKey(), Map.of()).status() == 401) {
      failures++;
      assertTrue(failures < 10 * BURST, "the address is never limited");
    }
    assertTrue(failures >= BURST, "limited after " + failures + " failures: successes were counted");
  }

  /** The documented trade-off: while its address is refused, a caller behind it is refused too. */
  @Test
  void anAddressOverItsLimitIsRefusedWhateverItsCredential() {
    SourceAddressClient nat = client("127.0.0.5");
    String token = Tokens.session(Tokens.newUserId());
    Response last;
    int sent = 0;
    do {
      last = nat.get(unknownApiKey(), Map.of());
      assertTrue(++sent < 10 * BURST, "the address is never limited");
    } while (last.status() == 401);

    Response refused = nat.get(token, Map.of());

    assertEquals(429, refused.status(), "a valid credential from the refused address");
  }

  private static SourceAddressClient client(String address) {
    return new SourceAddressClient(address, service.app().port());
  }

  private static String unknownApiKey() {
    StringBuilder key = new StringBuilder("mek_");
    for (int i = 0; i < 43; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return key.toString();
  }
}
