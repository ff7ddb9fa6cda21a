package meservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (the Debian package's {@code /usr/sbin/pgbouncer}, which {@code .ci/run}
 * installs) in front of a PostgreSQL on loopback, in session or transaction mode, on a free port.
 * Its own configuration only: trust authentication on loopback, no unix socket, defaults
 * otherwise, so what works here works with a stock PgBouncer.
 */
public final class PgBouncer implements AutoCloseable {

  private final Process process;
  private final Path directory;
  private final int port;

  private PgBouncer(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  /** {@code mode}: {@code session} or {@code transaction}; {@code upstreamPort}: PostgreSQL's. */
  public static PgBouncer start(String mode, int upstreamPort) throws IOException, InterruptedException {
    String binary = binary();
    Path directory = Files.createTempDirectory("pgbouncer-");
    // PgBouncer refuses to run as root; when we are root it switches to `nobody`, who must read these.
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = freePort();
    Path users = directory.resolve("users.txt");
    Files.writeString(users, "\"postgres\" \"postgres\"\n");
    Path ini = directory.resolve("pgbouncer.ini");
    Files.writeString(ini, String.join("\n",
        "[databases]",
        "* = host=127.0.0.1 port=" + upstreamPort,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        "listen_port = " + port,
        "unix_socket_dir =",
        "auth_type = trust",
        "auth_file = " + users,
        "pool_mode = " + mode,
        "max_client_conn = 500",
        "default_pool_size = 20",
        ""));
    for (Path file : List.of(users, ini)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    List<String> command = new ArrayList<>(List.of(binary));
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "nobody"));
    }
    command.add(ini.toString());
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("pgbouncer.log").toFile())
        .start();
    PgBouncer bouncer = new PgBouncer(process, directory, port);
    bouncer.awaitListening();
    return bouncer;
  }

  /** {@code databaseUrl} with its host and port replaced by this PgBouncer's. */
  public String url(String database) {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/" + database;
  }

  public String log() {
    try {
      return Files.readString(directory.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: PgBouncer closes its connections and exits
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ":\n" + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    close();
    throw new IllegalStateException("pgbouncer not listening on " + port + " after 10 s:\n" + log());
  }

  private static String binary() {
    for (String candidate : List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does this)");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
