package meservice.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import meservice.config.IpRange;

/**
 * The client a request comes from, as a key for per-address limits: an IPv4 address, or the /64
 * an IPv6 address belongs to (one host is usually handed a whole /64, so a finer key would let it
 * rotate through 2^64 of them).
 *
 * <p>{@code X-Forwarded-For} is believed only from {@code TRUSTED_PROXIES}: when the peer is one
 * of them, the header is read from the right (the entry the proxy appended) leftwards, skipping
 * further trusted proxies, and the first address that is not one is the client. Entries left of
 * it were written by the client and are ignored, as is the header when the peer is not trusted:
 * otherwise anyone could pick the address they are limited as.
 */
public final class ClientAddress {

  private static final String FORWARDED_FOR = "X-Forwarded-For";
  /** Requests without a usable peer address (not TCP) share one key. */
  private static final Object UNKNOWN = "unknown";

  private final List<IpRange> trustedProxies;

  public ClientAddress(List<IpRange> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  public Object key(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    byte[] address = peer == null || peer.hostAddress() == null ? null : IpRange.parse(peer.hostAddress());
    if (address == null) {
      return UNKNOWN;
    }
    if (!trustedProxies.isEmpty() && isTrusted(address)) {
      address = forwardedClient(request.headers().getAll(FORWARDED_FOR), address);
    }
    return key(address);
  }

  /** The right-most forwarded address that is not a trusted proxy; {@code proxy} when there is none. */
  private byte[] forwardedClient(List<String> headers, byte[] proxy) {
    byte[] client = proxy;
    for (int h = headers.size() - 1; h >= 0; h--) {
      String[] hops = headers.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        byte[] hop = IpRange.parse(hops[i].trim());
        if (hop == null) {
          return client;
        }
        client = hop;
        if (!isTrusted(hop)) {
          return client;
        }
      }
    }
    return client;
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
