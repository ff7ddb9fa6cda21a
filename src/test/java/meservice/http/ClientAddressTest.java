package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import meservice.config.ConfigLoader;
import meservice.config.IpRange;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Which client a request counts against, from its peer and {@code X-Forwarded-For} headers as the
 * service receives them. The loopback suites cannot be a public peer; these cases are every kind.
 */
@Tag("unit")
class ClientAddressTest {

  private static final ClientAddress NO_PROXIES = new ClientAddress(List.of());
  private static final ClientAddress BEHIND_10_8 = new ClientAddress(ranges("10.0.0.0/8"));

  @Test
  void aPublicPeerIsTheClientWhateverItForwards() {
    Object key = NO_PROXIES.key("198.51.100.7", List.of());

    assertEquals(key, NO_PROXIES.key("198.51.100.7", List.of("203.0.113.1")));
    assertEquals(key, NO_PROXIES.key("198.51.100.7", List.of("203.0.113.2, 203.0.113.3")));
  }

  @Test
  void behindAnUnlistedPrivateBalancerEachForwardedClientHasItsOwnKey() {
    Object first = NO_PROXIES.key("10.0.0.5", List.of("203.0.113.1"));
    Object second = NO_PROXIES.key("10.0.0.5", List.of("203.0.113.2"));

    assertNotEquals(first, second);
    assertNotEquals(NO_PROXIES.key("10.0.0.5", List.of()), first, "the balancer's own requests are another client");
    assertEquals(first, NO_PROXIES.key("10.0.0.5", List.of("192.0.2.66, 203.0.113.1")),
        "the entry the balancer appended counts, not what the client wrote left of it");
    for (String peer : List.of("127.0.0.1", "172.16.3.4", "192.168.1.1", "100.64.0.9", "fd00::1", "::1")) {
      assertNotEquals(NO_PROXIES.key(peer, List.of("203.0.113.1")), NO_PROXIES.key(peer, List.of("203.0.113.2")), peer);
    }
  }

  @Test
  void aClaimFromOnePrivatePeerNeverCountsAgainstTheSameClientBehindAnother() {
    assertNotEquals(NO_PROXIES.key("10.0.0.5", List.of("203.0.113.1")), NO_PROXIES.key("10.0.0.6", List.of("203.0.113.1")));
    assertNotEquals(NO_PROXIES.key("203.0.113.1", List.of()), NO_PROXIES.key("10.0.0.6", List.of("203.0.113.1")),
        "nor against the client itself connecting directly");
  }

  @Test
  void withTrustedProxiesOnlyTheyHaveTheirHeaderBelieved() {
    Object client = BEHIND_10_8.key("203.0.113.1", List.of());

    assertEquals(client, BEHIND_10_8.key("10.0.0.5", List.of("203.0.113.1")));
    assertEquals(client, BEHIND_10_8.key("10.0.0.5", List.of("192.0.2.66, 203.0.113.1, 10.9.9.9")));
    assertEquals(BEHIND_10_8.key("192.168.1.1", List.of()), BEHIND_10_8.key("192.168.1.1", List.of("203.0.113.1")),
        "a private peer that is not listed is a client, once proxies are listed");
  }

  @Test
  void anEntryWithAPortIsItsAddress() {
    Object client = BEHIND_10_8.key("203.0.113.1", List.of());

    assertEquals(client, BEHIND_10_8.key("10.0.0.5", List.of("203.0.113.1:5678")));
    assertEquals(client, BEHIND_10_8.key("10.0.0.5", List.of("192.0.2.66,  203.0.113.1:5678 ")));
    assertEquals(NO_PROXIES.key("10.0.0.5", List.of("203.0.113.1")), NO_PROXIES.key("10.0.0.5", List.of("203.0.113.1:5678")));
    assertEquals(BEHIND_10_8.key("2001:db8::1", List.of()), BEHIND_10_8.key("10.0.0.5", List.of("[2001:db8::1]:443")));
    assertEquals(BEHIND_10_8.key("2001:db8::1", List.of()), BEHIND_10_8.key("10.0.0.5", List.of("2001:db8::1")));
    assertNull(ClientAddress.hopAddress("[2001:db8::1]x"));
  }

  @Test
  void anEntryThatNamesNoAddressIsNeverTheProxysOwnKey() {
    Object proxy = BEHIND_10_8.key("10.0.0.5", List.of());
    Object named = BEHIND_10_8.key("10.0.0.5", List.of("203.0.113.1"));

    for (String hop : List.of("unknown", "_hidden", "garbage!", "1.2.3", "", "300.1.1.1")) {
      Object unnamed = BEHIND_10_8.key("10.0.0.5", List.of(hop));
      assertNotEquals(proxy, unnamed, hop);
      assertNotEquals(named, unnamed, hop);
      assertNotEquals(proxy, BEHIND_10_8.key("10.0.0.5", List.of("203.0.113.1, " + hop)), hop);
      assertNotEquals(NO_PROXIES.key("10.0.0.5", List.of()), NO_PROXIES.key("10.0.0.5", List.of(hop)), hop);
    }
    assertEquals(BEHIND_10_8.key("10.0.0.5", List.of("unknown")), BEHIND_10_8.key("10.0.0.6", List.of("Unknown")),
        "clients no proxy could name share one key per text written");
  }

  @Test
  void ipv6ClientsInOneSlash64ShareAKey() {
    assertEquals(NO_PROXIES.key("2001:db8:1:2::1", List.of()), NO_PROXIES.key("2001:db8:1:2:ffff::9", List.of()));
    assertNotEquals(NO_PROXIES.key("2001:db8:1:2::1", List.of()), NO_PROXIES.key("2001:db8:1:3::1", List.of()));
  }

  @Test
  void anIpv4MappedPeerIsItsIpv4Address() {
    assertEquals(NO_PROXIES.key("198.51.100.7", List.of()), NO_PROXIES.key("::ffff:198.51.100.7", List.of()));
  }

  @Test
  void anIpv4KeyNeverEqualsAnIpv6Key() {
    assertNotEquals(NO_PROXIES.key("0.0.0.0", List.of()), NO_PROXIES.key("::", List.of()));
  }

  @Test
  void peersThatAreNoAddressShareOneKey() {
    assertEquals(NO_PROXIES.key("not-an-address", List.of()), NO_PROXIES.key("", List.of("203.0.113.1")));
    assertNotEquals(NO_PROXIES.key("not-an-address", List.of()), NO_PROXIES.key("203.0.113.1", List.of()));
  }

  @Test
  void whenEveryEntryIsATrustedProxyTheLeftMostIsTheClient() {
    assertEquals(BEHIND_10_8.key("10.1.1.1", List.of()), BEHIND_10_8.key("10.0.0.5", List.of("10.1.1.1, 10.2.2.2")));
    assertEquals(BEHIND_10_8.key("10.1.1.1", List.of()), BEHIND_10_8.key("10.0.0.5", List.of("10.1.1.1", "10.2.2.2")),
        "over several headers too, from the last leftwards");
  }

  private static List<IpRange> ranges(String value) {
    return ConfigLoader.load(Map.of("TRUSTED_PROXIES", value)).limits().trustedProxies();
  }
}
