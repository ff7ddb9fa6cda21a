package meservice.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An embedded PostgreSQL whose data lives under a directory and survives restarts. */
public final class DevDatabase implements AutoCloseable {

  /** Generous: a loaded machine can take longer than the library's 10 s to start PostgreSQL. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres postgres;

  private DevDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL on a free port; {@code dataDirectory} is created on first use and kept. */
  public static DevDatabase start(Path dataDirectory, boolean keepData) throws IOException {
    return start(dataDirectory, keepData, 0);
  }

  /** As above on a given port ({@code 0}: any free one), e.g. to restart a database where it was. */
  public static DevDatabase start(Path dataDirectory, boolean keepData, int port) throws IOException {
    return new DevDatabase(builder(dataDirectory, keepData, port).start());
  }

  /**
   * {@code dev}'s database: kept data, a given port, and no shutdown hook of the library's own;
   * hooks run concurrently, and dev stops PostgreSQL only after the service has drained.
   */
  static DevDatabase startForDev(Path dataDirectory, int port) throws IOException {
    return new DevDatabase(builder(dataDirectory, true, port).setRegisterShutdownHook(false).start());
  }

  private static EmbeddedPostgres.Builder builder(Path dataDirectory, boolean keepData, int port) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setCleanDataDirectory(!keepData)
        .setPGStartupWait(STARTUP_WAIT)
        .setServerConfig("max_connections", "200");
    if (dataDirectory != null) {
      builder.setDataDirectory(dataDirectory);
    }
    if (port != 0) {
      builder.setPort(port);
    }
    return builder;
  }

  /**
   * Stops a PostgreSQL that still runs on {@code dataDirectory} although no process owns it any
   * more (its JVM was killed: SIGKILL, an IDE's stop button); the caller holds dev's lock on the
   * folder, so no live dev is using it. Without this the new server finds the data directory locked
   * and the start gives up after its wait. Returns the stopped server's pid, if there was one.
   */
  static Optional<Long> stopLeftover(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (RuntimeException e) {
      Files.deleteIfExists(pidFile); // torn by a crash mid-write: PostgreSQL writes a new one
      return Optional.empty();
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    boolean postgres = process.flatMap(p -> p.info().command()).map(c -> c.endsWith("postgres")).orElse(false);
    boolean ours = lines.size() > 1 && samePath(Path.of(lines.get(1).trim()), dataDirectory);
    if (process.isEmpty() || !postgres || !ours) {
      // Nothing of ours runs there: PostgreSQL replaces a stale file itself, except when its pid
      // now belongs to another process, which it would take for a live server.
      if (process.isPresent()) {
        Files.deleteIfExists(pidFile);
      }
      return Optional.empty();
    }
    fastShutdown(process.get());
    try {
      process.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IOException("the PostgreSQL left running on " + dataDirectory + " (pid " + pid
          + ") did not stop within 30 s; stop it and start dev again");
    } catch (Exception e) {
      throw new IOException("waiting for the PostgreSQL left running (pid " + pid + ") to stop: " + e, e);
    }
    return Optional.of(pid);
  }

  /** SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect). */
  private static void fastShutdown(ProcessHandle postmaster) throws IOException {
    boolean sent = false;
    try {
      sent = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
          .redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      // No kill(1) (Windows): fall back to the platform's termination below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!sent) {
      postmaster.destroy();
    }
  }

  private static boolean samePath(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  public String url() {
    return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
