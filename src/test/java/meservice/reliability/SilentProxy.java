package meservice.reliability;

import static meservice.support.Futures.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of PostgreSQL that can go silent: {@link #silence()} stops forwarding in
 * both directions without closing anything, the way a failover, a dropped network path or a
 * frozen host looks to a client (the connection stays open, no RST, nothing ever answers).
 * Connections opened while silent are accepted and never answered. {@link #heal()} makes
 * connections opened from then on work again; the silenced ones stay silent for good, as after a
 * failover, so a client that keeps using them never recovers. Bytes sent into a silent
 * connection are read and dropped, so the proxy still sees when the client closes it.
 */
final class SilentProxy implements AutoCloseable {

  /** One client connection and, unless it was opened silent, its connection upstream. */
  private static final class Link {
    final NetSocket client;
    volatile NetSocket upstream;
    volatile boolean silent;
    /** {@link System#nanoTime()} at which it went silent (or was opened silent), and was closed. */
    volatile long silentSince;
    volatile long closedAt;

    Link(NetSocket client, boolean silent) {
      this.client = client;
      if (silent) {
        silence();
      }
    }

    void silence() {
      silentSince = System.nanoTime();
      silent = true;
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final NetClient upstream;
  private final NetServer server;
  private volatile boolean silent;

  private SilentProxy(String host, int port) {
    upstream = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    server = vertx.createNetServer().connectHandler(client -> accept(client, host, port));
  }

  /** Listens on an ephemeral loopback port, forwarding to {@code host:port}. */
  static SilentProxy start(String host, int port) {
    SilentProxy proxy = new SilentProxy(host, port);
    await(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  int port() {
    return server.actualPort();
  }

  /** From now on nothing passes, on open connections or new ones; nothing is closed. */
  void silence() {
    silent = true;
    links.stream().filter(link -> link.closedAt == 0).forEach(Link::silence);
  }

  /** Connections opened from now on work; those silenced stay silent. */
  void heal() {
    silent = false;
  }

  /** Silenced connections the client has not closed yet. */
  long silentAndOpen() {
    return links.stream().filter(link -> link.silent && link.closedAt == 0).count();
  }

  /** Silenced connections, open or closed by the client since. */
  long silenced() {
    return links.stream().filter(link -> link.silent).count();
  }

  /**
   * For each silenced connection, how long the client kept it after it went silent, in
   * milliseconds; one still open counts until now.
   */
  List<Long> silentLifetimesMillis() {
    long now = System.nanoTime();
    return links.stream().filter(link -> link.silent)
        .map(link -> TimeUnit.NANOSECONDS.toMillis((link.closedAt == 0 ? now : link.closedAt) - link.silentSince))
        .sorted()
        .toList();
  }

  private void accept(NetSocket client, String host, int port) {
    Link link = new Link(client, silent);
    links.add(link);
    client.closeHandler(v -> {
      link.closedAt = System.nanoTime();
      NetSocket up = link.upstream;
      if (up != null) {
        up.close();
      }
    });
    client.handler(bytes -> {
      NetSocket up = link.upstream;
      if (!link.silent && up != null) {
        up.write(bytes);
      }
    });
    if (link.silent) {
      return;
    }
    client.pause();
    upstream.connect(port, host).onComplete(ar -> {
      if (ar.failed()) {
        client.close();
        return;
      }
      NetSocket up = ar.result();
      link.upstream = up;
      up.handler(bytes -> {
        if (!link.silent) {
          client.write(bytes);
        }
      });
      up.closeHandler(v -> {
        // A silent network carries no FIN either.
        if (!link.silent) {
          client.close();
        }
      });
      client.resume();
    });
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
