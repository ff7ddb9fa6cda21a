package meservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (the Debian package's {@code /usr/sbin/haproxy}, which {@code .ci/run} installs)
 * on a free loopback port, in HTTP mode in front of one server, appending the client's address to
 * {@code X-Forwarded-For} ({@code option forwardfor}) as a load balancer is configured to.
 */
public final class Haproxy implements AutoCloseable {

  private final Process process;
  private final Path directory;
  private final int port;

  private Haproxy(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  /** In front of {@code 127.0.0.1:serverPort}. */
  public static Haproxy start(int serverPort) throws IOException, InterruptedException {
    String binary = binary();
    Path directory = Files.createTempDirectory("haproxy-");
    int port = freePort();
    Path config = directory.resolve("haproxy.cfg");
    Files.writeString(config, String.join("\n",
        "global",
        "  maxconn 512",
        "defaults",
        "  mode http",
        "  timeout connect 2s",
        "  timeout client 20s",
        "  timeout server 20s",
        "  option forwardfor",
        "frontend public",
        "  bind 127.0.0.1:" + port,
        "  default_backend service",
        "backend service",
        "  server me 127.0.0.1:" + serverPort,
        ""));
    Process process = new ProcessBuilder(binary, "-db", "-f", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("haproxy.log").toFile())
        .start();
    Haproxy haproxy = new Haproxy(process, directory, port);
    haproxy.awaitListening();
    return haproxy;
  }

  public int port() {
    return port;
  }

  public String log() {
    try {
      return Files.readString(directory.resolve("haproxy.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("haproxy exited with " + process.exitValue() + ":\n" + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    close();
    throw new IllegalStateException("haproxy not listening on " + port + " after 10 s:\n" + log());
  }

  private static String binary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("haproxy is not installed (apt-get install haproxy; .ci/run does this)");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
