package meservice.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import meservice.config.IpRange;

/**
 * The client a request comes from, as a key for per-client limits: an IPv4 address, or the /64
 * an IPv6 address belongs to (one host is usually handed a whole /64, so a finer key would let it
 * rotate through 2^64 of them).
 *
 * <ul>
 *   <li>From a peer in {@code TRUSTED_PROXIES}, {@code X-Forwarded-For} is read from the right (the
 *       entry the proxy appended) leftwards, skipping further trusted proxies; the first address
 *       that is not one is the client. Entries left of it were written by the client and are
 *       ignored, so nobody can choose the address they are limited as.
 *   <li>With no {@code TRUSTED_PROXIES} at all, a peer in a private or loopback range
 *       ({@link IpRange#PRIVATE}) that sends {@code X-Forwarded-For} is most likely a load
 *       balancer nobody listed: its clients are told apart by the pair (peer, right-most entry).
 *       Believing the entry alone would let any host on the private network pick the address it
 *       is limited as, and lock that client out; keyed under the peer, a claim affects only
 *       requests from the same peer, and behind a balancer each client gets its own budget
 *       instead of all of them sharing the balancer's.
 *   <li>Otherwise the peer is the client.
 * </ul>
 *
 * <p>An entry is an address, with a port or not ({@code 203.0.113.7:5678}, as Azure writes it;
 * {@code [2001:db8::1]:443}). One that is no address ({@code unknown}, garbage) was written by a
 * trusted proxy that could not name the client: such clients share a key per text written, never
 * the proxy's own address (which every client behind the proxy would share).
 */
public final class ClientAddress {

  private static final String FORWARDED_FOR = "X-Forwarded-For";
  /** Requests without a usable peer address (not TCP) share one key. */
  private static final Object UNKNOWN = "unknown";
  private static final int MAX_UNNAMED_CHARS = 64;

  /** A client behind an unlisted private peer: the peer's key and the client it names. */
  private record Behind(Object peer, Object client) {}

  /** A client a proxy wrote as something other than an address. */
  private record Unnamed(String text) {}

  private final List<IpRange> trustedProxies;

  public ClientAddress(List<IpRange> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  public Object key(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    if (peer == null || peer.hostAddress() == null) {
      return UNKNOWN;
    }
    return key(peer.hostAddress(), request.headers().getAll(FORWARDED_FOR));
  }

  /** The key of a request from {@code peer} carrying these {@code X-Forwarded-For} headers. */
  Object key(String peer, List<String> forwardedFor) {
    byte[] address = IpRange.parse(peer);
    if (address == null) {
      return UNKNOWN;
    }
    if (!trustedProxies.isEmpty()) {
      return isTrusted(address) ? forwardedClient(forwardedFor, address) : key(address);
    }
    if (!forwardedFor.isEmpty() && IpRange.PRIVATE.stream().anyMatch(range -> range.contains(address))) {
      String[] hops = forwardedFor.get(forwardedFor.size() - 1).split(",");
      return new Behind(key(address), hopKey(hops[hops.length - 1]));
    }
    return key(address);
  }

  /** The right-most forwarded entry that is not a trusted proxy; {@code proxy} when there is none. */
  private Object forwardedClient(List<String> headers, byte[] proxy) {
    byte[] client = proxy;
    for (int h = headers.size() - 1; h >= 0; h--) {
      String[] hops = headers.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        byte[] hop = hopAddress(hops[i]);
        if (hop == null) {
          return unnamed(hops[i]);
        }
        client = hop;
        if (!isTrusted(hop)) {
          return key(client);
        }
      }
    }
    return key(client);
  }

  private static Object hopKey(String hop) {
    byte[] address = hopAddress(hop);
    return address == null ? unnamed(hop) : key(address);
  }

  /**
   * The address of one {@code X-Forwarded-For} entry, without the port some proxies add
   * ({@code 203.0.113.7:5678}, {@code [2001:db8::1]:443}); {@code null} when it names none.
   */
  static byte[] hopAddress(String hop) {
    String text = hop.trim();
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      boolean portOrNothing = close > 0 && (close == text.length() - 1 || text.charAt(close + 1) == ':');
      return portOrNothing ? IpRange.parse(text.substring(1, close)) : null;
    }
    int colon = text.indexOf(':');
    if (colon > 0 && colon == text.lastIndexOf(':')) {
      // One colon: IPv4 and a port (an IPv6 address has at least two).
      byte[] address = IpRange.parse(text.substring(0, colon));
      return address != null && address.length == 4 ? address : null;
    }
    return IpRange.parse(text);
  }

  private static Object unnamed(String hop) {
    String text = hop.trim().toLowerCase(Locale.ROOT);
    return new Unnamed(text.length() > MAX_UNNAMED_CHARS ? text.substring(0, MAX_UNNAMED_CHARS) : text);
  }

  private boolean isTrusted(byte[] address) {
    for (IpRange range : trustedProxies) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static Object key(byte[] address) {
    long key = 0;
    for (int i = 0; i < Math.min(8, address.length); i++) {
      key = key << 8 | (address[i] & 0xff);
    }
    // Integer for IPv4, Long for an IPv6 /64: never equal to each other.
    return address.length == 4 ? (Object) (int) key : (Object) key;
  }
}
