package meservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real PostgreSQL servers replicating by streaming, as an operator runs them: a primary made with
 * {@code initdb}, standbys made from it with {@code pg_basebackup -R}, a switchover done with a
 * fast shutdown and {@code pg_ctl promote}, the old primary brought back as a standby of the new
 * one. Debian's PostgreSQL server binaries (package {@code postgresql}, which {@code .ci/run}
 * installs); as root, every command runs as the {@code postgres} user, since PostgreSQL refuses
 * to run as root.
 */
public final class ReplicatedPostgres implements AutoCloseable {

  /** One server: its data directory and port. */
  public final class Node {
    final Path data;
    public final int port;

    private Node(Path data, int port) {
      this.data = data;
      this.port = port;
    }

    public String url() {
      return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    /** Fast shutdown: sessions are ended (57P01), standbys get everything, then it stops. */
    public void stop() {
      pgCtl("-D", data.toString(), "-m", "fast", "-w", "stop");
    }

    /** Immediate shutdown: the postmaster and every backend quit at once, as in a crash. */
    public void crash() {
      pgCtl("-D", data.toString(), "-m", "immediate", "-w", "stop");
    }

    public void start() {
      pgCtl("-D", data.toString(), "-l", base.resolve("postgres-" + port + ".log").toString(), "-w", "-t", "60",
          "start", "-o", "-p " + port);
    }

    /** A standby becomes a primary, and from now on takes writes. */
    public void promote() {
      pgCtl("-D", data.toString(), "-w", "promote");
    }

    /** A stopped server comes back as a standby of {@code primary}, read-only, following it. */
    public void rejoinAsStandbyOf(Node primary) {
      write(data.resolve("standby.signal"), "");
      append(data.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=127.0.0.1 port=" + primary.port
          + " user=postgres application_name=node" + port + "'\n");
      start();
    }

    /** Adds {@code name = value} to this server's configuration (effective at its next start). */
    public void configure(String name, String value) {
      append(data.resolve("postgresql.auto.conf"), name + " = '" + value + "'\n");
    }
  }

  private final Path base;
  private final String bin;
  private final List<Node> nodes = new ArrayList<>();

  private ReplicatedPostgres(Path base, String bin) {
    this.base = base;
    this.bin = bin;
  }

  /** A primary, started, with {@code settings} ("name=value") in its configuration. */
  public static ReplicatedPostgres start(String... settings) {
    try {
      Path base = Files.createTempDirectory("me-service-replicated");
      ReplicatedPostgres cluster = new ReplicatedPostgres(base, binaries());
      cluster.run(List.of("chown", "-R", user(), base.toString()), true);
      cluster.primary(settings);
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Node primary() {
    return nodes.get(0);
  }

  private Node primary(String... settings) {
    int port = freePort();
    Path data = base.resolve("node" + port);
    run(List.of(bin + "/initdb", "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-locale"), false);
    StringBuilder conf = new StringBuilder()
        .append("listen_addresses = '127.0.0.1'\n")
        .append("unix_socket_directories = '").append(base).append("'\n")
        .append("wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\nwal_keep_size = '256MB'\n")
        .append("max_connections = 100\nfsync = off\n");
    for (String setting : settings) {
      int eq = setting.indexOf('=');
      conf.append(setting, 0, eq).append(" = '").append(setting.substring(eq + 1)).append("'\n");
    }
    append(data.resolve("postgresql.conf"), conf.toString());
    Node node = new Node(data, port);
    nodes.add(node);
    node.start();
    return node;
  }

  /** A streaming standby of {@code of}, started, with {@code settings} ("name=value") of its own. */
  public Node standby(Node of, String... settings) {
    int port = freePort();
    Path data = base.resolve("node" + port);
    run(List.of(bin + "/pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(of.port), "-U", "postgres",
        "-D", data.toString(), "-R", "-X", "stream", "-c", "fast"), false);
    Node node = new Node(data, port);
    node.configure("primary_conninfo", "host=127.0.0.1 port=" + of.port + " user=postgres application_name=node" + port);
    for (String setting : settings) {
      int eq = setting.indexOf('=');
      node.configure(setting.substring(0, eq), setting.substring(eq + 1));
    }
    nodes.add(node);
    node.start();
    return node;
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      if (Files.exists(node.data.resolve("postmaster.pid"))) {
        node.crash();
      }
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory: the system cleans it eventually.
    }
  }

  private void pgCtl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(bin + "/pg_ctl");
    command.addAll(List.of(args));
    run(command, false);
  }

  private void write(Path file, String text) {
    run(List.of("sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", text, file.toString()), false);
  }

  private void append(Path file, String text) {
    run(List.of("sh", "-c", "printf '%s' \"$1\" >> \"$2\"", "sh", text, file.toString()), false);
  }

  /** Runs {@code command} (as {@code postgres} when we are root, unless {@code asUs}); fails on a non-zero exit. */
  private void run(List<String> command, boolean asUs) {
    List<String> full = new ArrayList<>();
    if (!asUs && isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Path output = Files.createTempFile("me-service-pg", ".out");
      Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", full) + ": did not finish in 120 s");
      }
      String text = Files.readString(output);
      Files.delete(output);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", full) + " exited " + process.exitValue() + ":\n" + text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static String user() {
    return isRoot() ? "postgres" : System.getProperty("user.name");
  }

  /** PostgreSQL's server binaries with pg_basebackup beside them: Debian's, newest first. */
  private static String binaries() throws IOException {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("pg_basebackup")) && Files.isExecutable(bin.resolve("initdb")))
          .max(Comparator.naturalOrder())
          .map(Path::toString)
          .orElseThrow(() -> new IllegalStateException("PostgreSQL server binaries are missing (apt-get install postgresql)"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException("PostgreSQL server binaries are missing (apt-get install postgresql)");
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
