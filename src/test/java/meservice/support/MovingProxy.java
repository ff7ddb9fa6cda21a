package meservice.support;

import static meservice.support.Futures.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A database address that moves, as a DNS name or a virtual IP does in a failover: a TCP proxy
 * that sends each new connection to its current target. Connections already open stay where they
 * were opened, as an established TCP connection does when a name starts resolving elsewhere.
 * When either side closes, so does the other.
 */
public final class MovingProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final NetClient upstream;
  private final NetServer server;
  private volatile int target;
  private final Map<Integer, AtomicInteger> opened = new ConcurrentHashMap<>();

  private MovingProxy(int target) {
    this.target = target;
    this.upstream = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** Listens on an ephemeral loopback port, forwarding to {@code 127.0.0.1:target}. */
  public static MovingProxy to(int target) {
    MovingProxy proxy = new MovingProxy(target);
    await(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code databaseUrl} with its host and port replaced by this proxy's. */
  public String url(String databaseUrl) {
    return databaseUrl.replaceFirst("@[^/@]+/", "@127.0.0.1:" + port() + "/");
  }

  /** Connections opened from now on go to {@code 127.0.0.1:port}. */
  public void moveTo(int port) {
    target = port;
  }

  /** Connections sent to {@code port} so far. */
  public int connectionsTo(int port) {
    AtomicInteger count = opened.get(port);
    return count == null ? 0 : count.get();
  }

  private void accept(NetSocket client) {
    client.pause();
    int to = target;
    opened.computeIfAbsent(to, port -> new AtomicInteger()).incrementAndGet();
    upstream.connect(to, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        client.close();
        return;
      }
      NetSocket server = ar.result();
      client.handler(server::write);
      server.handler(client::write);
      client.closeHandler(v -> server.close());
      server.closeHandler(v -> client.close());
      client.exceptionHandler(err -> client.close());
      server.exceptionHandler(err -> server.close());
      client.resume();
    });
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
