package meservice.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Log lines leave the calling thread (an event loop, usually) through a bounded queue and are
 * encoded and written to stdout by one writer thread, in batches: a line never waits for the
 * terminal, the pipe or the lock of a stream. When the queue is full the line is dropped and
 * counted ({@link #dropped()}, the {@code log_lines_dropped_total} metric) rather than blocking.
 * Logback's own {@code AsyncAppender} with {@code neverBlock} drops without counting, and by
 * default also discards INFO lines once the queue is 80% full.
 *
 * <p>The writer is never woken by a line: it wakes every {@link #BATCH_MILLIS} ms and writes what
 * has queued since. A blocking queue's wake-up on every line cost the event loops a futex call
 * and the machine a context switch per request (about a tenth of the service's CPU under load,
 * BENCHMARKS.md); lines reach stdout at most that much later instead. The queue holds far more
 * than one interval's lines at any rate the event loops can produce.
 *
 * <p>Lines of one kind (logger, level, message template) past {@code repeatsPerSecond} in a
 * second are left out and counted ({@link RepeatLimit}; {@link #suppressed()}, the
 * {@code log_lines_suppressed_total} metric), and the writer says once a second how many of each
 * kind it left out. Loggers named by {@code unlimitedLogger} (the access log) are exempt.
 */
public final class AsyncStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private static final LongAdder DROPPED = new LongAdder();
  private static final LongAdder SUPPRESSED = new LongAdder();
  private static final long REPORT_EVERY_MILLIS = 1_000;
  private static final int BUFFER_BYTES = 64 * 1024;
  static final int BATCH_MILLIS = 10;
  /** Message arguments whose value cannot change before the writer formats them. */
  private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Integer.class, Long.class, Short.class,
      Byte.class, Double.class, Float.class, Boolean.class, Character.class, UUID.class);

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  private int repeatsPerSecond = 0;
  private final Set<String> unlimitedLoggers = new HashSet<>();
  private RepeatLimit repeats;
  private OutputStream out = new FileOutputStream(FileDescriptor.out);
  private BlockingQueue<ILoggingEvent> queue;
  private Thread writer;
  private Thread exitHook;
  /** The writer has flushed everything it took and waits for more. */
  private volatile boolean idle;
  private volatile boolean stopping;

  /** Lines dropped on a full queue, by every instance in this JVM, since start. */
  public static long dropped() {
    return DROPPED.sum();
  }

  /** Lines left out by the repeat limit, by every instance in this JVM, since start. */
  public static long suppressed() {
    return SUPPRESSED.sum();
  }

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** Lines of one kind written per second at most; {@code 0}: no limit. */
  public void setRepeatsPerSecond(int repeatsPerSecond) {
    this.repeatsPerSecond = repeatsPerSecond;
  }

  /** A logger whose lines are never limited ({@code <unlimitedLogger>} in the configuration). */
  public void addUnlimitedLogger(String name) {
    unlimitedLoggers.add(name);
  }

  /** For tests: where the lines go instead of stdout. */
  void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    queue = new ArrayBlockingQueue<>(Math.max(1, queueSize));
    repeats = new RepeatLimit(repeatsPerSecond, unlimitedLoggers);
    stopping = false;
    OutputStream buffered = new BufferedOutputStream(out, BUFFER_BYTES);
    writer = new Thread(() -> write(buffered), "log-writer-" + name);
    writer.setDaemon(true);
    writer.start();
    // An exit that skips stopping logback (System.exit on a failed start) still gets its last lines.
    exitHook = new Thread(this::drain, "log-drain-" + name);
    Runtime.getRuntime().addShutdownHook(exitHook);
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!repeats.admit(event)) {
      SUPPRESSED.increment();
      return;
    }
    // Freezes what the writer thread reads later: thread name, MDC, and the message, unless its
    // arguments cannot change (strings, numbers...): then the writer formats it, off the event loop.
    event.getThreadName();
    event.getMDCPropertyMap();
    if (!immutable(event.getArgumentArray())) {
      event.getFormattedMessage();
    }
    if (!queue.offer(event)) {
      DROPPED.increment();
    }
  }

  private static boolean immutable(Object[] arguments) {
    if (arguments == null) {
      return true;
    }
    for (Object argument : arguments) {
      if (argument != null && !(IMMUTABLE.contains(argument.getClass()) || argument instanceof Enum<?>)) {
        return false;
      }
    }
    return true;
  }

  /** The line that stands for {@code count} lines of {@code kind} left out: same logger and level. */
  private ILoggingEvent report(RepeatLimit.Kind kind, long count, long now) {
    LoggingEvent event = new LoggingEvent(AsyncStdoutAppender.class.getName(),
        ((LoggerContext) getContext()).getLogger(kind.logger()), kind.level(),
        "left out {} more lines like \"{}\" (at most {} a second are written)", null,
        new Object[] {count, LogSafe.escapeControls(kind.template()), repeatsPerSecond});
    event.setTimeStamp(now);
    event.setThreadName(writer.getName());
    return event;
  }

  /** Writes what is queued, waiting at most a second for it. */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException alreadyExiting) {
      // Stopped from another shutdown hook: ours runs too, and finds nothing left.
    }
    stopping = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits (at most a second) until every queued line is written; the writer keeps running. */
  private void drain() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    LockSupport.unpark(writer);
    while (!(idle && queue.isEmpty()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void write(OutputStream buffered) {
    List<ILoggingEvent> batch = new ArrayList<>();
    long lastReport = System.currentTimeMillis();
    while (true) {
      boolean last = stopping;
      idle = false;
      // Everything queued goes out in one batch, then one flush (one write call).
      queue.drainTo(batch);
      long now = System.currentTimeMillis();
      if (last || now - lastReport >= REPORT_EVERY_MILLIS) {
        lastReport = now;
        repeats.drain(now, (kind, count) -> batch.add(report(kind, count, now)));
      }
      if (!batch.isEmpty()) {
        for (ILoggingEvent event : batch) {
          try {
            if (encoder instanceof LineWriter direct) {
              direct.write(event, buffered);
            } else {
              buffered.write(encoder.encode(event));
            }
          } catch (IOException | RuntimeException e) {
            DROPPED.increment();
          }
        }
        batch.clear();
        try {
          buffered.flush();
        } catch (IOException e) {
          // stdout is gone (closed pipe): nothing to report it to.
        }
      }
      idle = true;
      if (last) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
    }
  }
}
