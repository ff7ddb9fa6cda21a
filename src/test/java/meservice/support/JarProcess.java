package meservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar run as a user runs it: {@code java -jar me-service.jar COMMAND} as a child
 * process in a folder of the test's, with an environment of the test's. Output (stdout and
 * stderr together) goes to a file, read while the process runs.
 */
public final class JarProcess implements AutoCloseable {

  /** Generous: the shared CI machine can take long to start a JVM and a PostgreSQL. */
  public static final Duration START = Duration.ofSeconds(120);

  private final Process process;
  private final Path output;

  private JarProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** The production jar, {@code target/me-service.jar}, as {@code mvn package} built it. */
  public static Path serviceJar() {
    return Path.of(System.getProperty("service.jar", "target/me-service.jar")).toAbsolutePath();
  }

  /** The dev jar beside it, {@code target/me-service-dev.jar}. */
  public static Path devJar() {
    return Path.of(System.getProperty("dev.jar", "target/me-service-dev.jar")).toAbsolutePath();
  }

  /** Starts {@code java -jar jar args...} in {@code folder}; {@code env} adds to (or, with null, removes from) this one's. */
  public static JarProcess start(Path jar, Path folder, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
        "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true);
    builder.environment().remove("CONFIG_FILE");
    env.forEach((name, value) -> {
      if (value == null) {
        builder.environment().remove(name);
      } else {
        builder.environment().put(name, value);
      }
    });
    try {
      Path output = Files.createTempFile(folder, "output-", ".log");
      builder.redirectOutput(output.toFile());
      return new JarProcess(builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to the end (at most {@link #START}); returns the exit status and everything printed. */
  public static Finished run(Path jar, Path folder, Map<String, String> env, String... args) {
    try (JarProcess process = start(jar, folder, env, args)) {
      int status = process.waitForExit(START);
      return new Finished(status, process.output());
    }
  }

  public record Finished(int status, String output) {}

  /** Waits until the output has a match of {@code regex}; fails with the output if the process ends first. */
  public Matcher await(String regex, Duration within) {
    Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher matcher = pattern.matcher(output());
      if (matcher.find()) {
        return matcher;
      }
      if (!process.isAlive()) {
        throw new AssertionError("exited (" + process.exitValue() + ") before printing /" + regex + "/:\n" + output());
      }
      sleep(100);
    }
    throw new AssertionError("no /" + regex + "/ within " + within + ":\n" + output());
  }

  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as an orchestrator or Ctrl-C in a terminal stops the service. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook runs, as with an IDE's stop button or the OOM killer. */
  public void kill() {
    process.destroyForcibly();
  }

  public int waitForExit(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("still running after " + within + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Stops it if it still runs (SIGTERM, then SIGKILL), so no test leaves a process behind. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
