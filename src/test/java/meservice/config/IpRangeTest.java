package meservice.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Address and CIDR ranges: parsing, membership and equality. */
@Tag("unit")
class IpRangeTest {

  @Test
  void rangesOfTheSameNetworkAndPrefixAreEqual() {
    assertEquals(IpRange.of("10.0.0.0/8"), IpRange.of("10.0.0.0/8"));
    assertEquals(IpRange.of("10.0.0.0/8").hashCode(), IpRange.of("10.0.0.0/8").hashCode());
    assertTrue(Set.of(IpRange.of("fd00::/8")).contains(IpRange.of("fd00::/8")));
  }

  @Test
  void rangesOfAnotherPrefixOrNetworkDiffer() {
    assertNotEquals(IpRange.of("10.0.0.0/8"), IpRange.of("10.0.0.0/16"));
    assertNotEquals(IpRange.of("10.0.0.0/8"), IpRange.of("11.0.0.0/8"));
  }

  @Test
  void theNetworkBytesCannotBeChangedFromOutside() {
    byte[] bytes = IpRange.parse("10.0.0.0");
    IpRange range = new IpRange(bytes, 8);
    bytes[0] = 11;
    range.network()[0] = 12;

    assertTrue(range.contains(IpRange.parse("10.1.2.3")));
    assertEquals(IpRange.of("10.0.0.0/8"), range);
  }

  @Test
  void anAddressWithoutAPrefixIsOneHost() {
    IpRange host = IpRange.of("127.0.0.1");

    assertEquals("127.0.0.1/32", host.toString());
    assertTrue(host.contains(IpRange.parse("127.0.0.1")));
    assertFalse(host.contains(IpRange.parse("127.0.0.2")));
  }

  @Test
  void aPrefixNotOnAByteBoundaryMasksTheSplitByte() {
    IpRange range = IpRange.of("172.16.0.0/12");

    assertTrue(range.contains(IpRange.parse("172.31.255.255")));
    assertFalse(range.contains(IpRange.parse("172.32.0.0")));
    assertFalse(range.contains(IpRange.parse("172.15.255.255")));
  }

  @Test
  void anIpv4MappedIpv6AddressIsItsIpv4Address() {
    assertArrayEquals(IpRange.parse("10.1.2.3"), IpRange.parse("::ffff:10.1.2.3"));
    assertTrue(IpRange.of("10.0.0.0/8").contains(IpRange.parse("::ffff:10.1.2.3")));
  }

  @Test
  void anAddressOfTheOtherFamilyIsNeverContained() {
    assertFalse(IpRange.of("::/0").contains(IpRange.parse("10.1.2.3")));
    assertFalse(IpRange.of("0.0.0.0/0").contains(IpRange.parse("2001:db8::1")));
  }

  @Test
  void aPrefixOutOfRangeOrNotANumberIsNoRange() {
    assertNull(IpRange.of("10.0.0.0/33"));
    assertNull(IpRange.of("10.0.0.0/-1"));
    assertNull(IpRange.of("10.0.0.0/x"));
    assertNull(IpRange.of("fd00::/129"));
  }

  @Test
  void aHostNameIsNoAddressAndIsNeverLookedUp() {
    assertNull(IpRange.parse("localhost"));
    assertNull(IpRange.of("example.invalid/8"));
  }

  @Test
  void thePrivateRangesCoverLoopbackSharedSpaceAndUniqueLocal() {
    for (String address : new String[] {"10.1.1.1", "172.20.0.1", "192.168.0.1", "127.0.0.1", "100.64.0.1", "fd00::1", "::1"}) {
      assertTrue(IpRange.PRIVATE.stream().anyMatch(range -> range.contains(IpRange.parse(address))), address);
    }
    assertFalse(IpRange.PRIVATE.stream().anyMatch(range -> range.contains(IpRange.parse("203.0.113.1"))));
  }
}
