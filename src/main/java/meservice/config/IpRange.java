package meservice.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * An address or a CIDR block ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code fd00::/8}), parsed
 * without any name lookup. {@link #parse} returns the address bytes of an IP literal, 4 for IPv4
 * (an IPv4-mapped IPv6 address included), 16 for IPv6, or {@code null} for anything else.
 *
 * <p>A value: two ranges of the same network and prefix are equal, and the network bytes are
 * copied in and out, so nothing outside can change a range.
 */
public record IpRange(byte[] network, int prefixLength) {

  public IpRange {
    network = network.clone();
  }

  static IpRange of(String text) {
    int slash = text.indexOf('/');
    byte[] address = parse(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    return prefix < 0 || prefix > bits ? null : new IpRange(address, prefix);
  }

  /**
   * Addresses a load balancer in front of the service usually has: RFC 1918, loopback, shared
   * address space (RFC 6598, 100.64.0.0/10) and IPv6 unique-local and loopback.
   */
  public static final List<IpRange> PRIVATE = List.of(of("10.0.0.0/8"), of("172.16.0.0/12"), of("192.168.0.0/16"),
      of("127.0.0.0/8"), of("100.64.0.0/10"), of("fc00::/7"), of("::1"));

  public static byte[] parse(String text) {
    byte[] address = NetUtil.createByteArrayFromIpAddressString(text);
    if (address != null && address.length == 16 && isIpv4Mapped(address)) {
      byte[] v4 = new byte[4];
      System.arraycopy(address, 12, v4, 0, 4);
      return v4;
    }
    return address;
  }

  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefixLength / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpRange range && prefixLength == range.prefixLength && Arrays.equals(network, range.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  /** {@code 10.0.0.0/8}: the CIDR form (no name lookup). */
  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes", e);
    }
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }
}
