package meservice.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar me-service.jar ARGS} as an operator runs it: the real {@code meservice.Main}
 * in a JVM of its own (this test JVM's java and classpath), with exactly the given environment, so
 * exit codes and everything printed are what a terminal would show.
 */
public final class MainProcess implements AutoCloseable {

  private static final long TIMEOUT_SECONDS = 120;

  private final Process process;
  private final Output stdout;
  private final Output stderr;

  /** What a finished command left: its exit status and both streams. */
  public record Result(int exit, String stdout, String stderr) {
    public String output() {
      return stdout + stderr;
    }
  }

  private MainProcess(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"),
        "meservice.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stdout = new Output(process.getInputStream());
    stderr = new Output(process.getErrorStream());
  }

  /** Runs a command to its end. */
  public static Result run(Map<String, String> env, String... args) {
    try (MainProcess main = new MainProcess(env, args)) {
      return main.awaitExit();
    }
  }

  /** Starts a long-running command ({@code serve}); {@link #close()} stops it like SIGTERM does. */
  public static MainProcess start(Map<String, String> env, String... args) {
    return new MainProcess(env, args);
  }

  /** Waits until {@code text} was printed on either stream; fails if the process ends first. */
  public void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!(stdout.text().contains(text) || stderr.text().contains(text))) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("never printed \"" + text + "\" (exit "
            + (process.isAlive() ? "none yet" : process.exitValue()) + "):\n" + stdout.text() + stderr.text());
      }
      Thread.sleep(20);
    }
  }

  /** Everything printed so far, on either stream. */
  public String printed() {
    return stdout.text() + stderr.text();
  }

  /** SIGTERM, then waits for the shutdown hook to finish and the streams to end. */
  public Result stop() {
    process.destroy();
    return awaitExit();
  }

  public Result awaitExit() {
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("did not exit within " + TIMEOUT_SECONDS + " s:\n" + stdout.text() + stderr.text());
      }
      stdout.thread.join();
      stderr.thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Result(process.exitValue(), stdout.text(), stderr.text());
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** A stream read to its end on its own thread, so a full pipe never blocks the process. */
  private static final class Output {
    private final StringBuffer text = new StringBuffer();
    private final Thread thread;

    Output(InputStream in) {
      thread = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try (in) {
          int n;
          while ((n = in.read(buffer)) >= 0) {
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          }
        } catch (IOException e) {
          // The process is gone; what was read is kept.
        }
      }, "main-process-output");
      thread.setDaemon(true);
      thread.start();
    }

    String text() {
      return text.toString();
    }
  }
}
