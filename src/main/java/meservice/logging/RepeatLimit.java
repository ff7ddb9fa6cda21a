package meservice.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lines of one kind, the same logger, level and message template (the text before its arguments
 * are filled in), are written at most {@code perSecond} times a second; the rest are counted and
 * reported by one line a second ({@link #drain}). A flood of one kind of line (a client error
 * repeated by a script, a warning per request during an outage) then costs a few lines a second
 * instead of one per request, and cannot crowd other lines out of the log writer's queue.
 * Loggers in {@code unlimited} (the access log: one line per request by design) are not limited.
 */
final class RepeatLimit {

  /** Kinds tracked at once; past it a new kind is not limited (templates are code, so few). */
  static final int MAX_KINDS = 4096;

  /** A kind of line. */
  record Kind(String logger, Level level, String template) {}

  /** The lines of one {@link Kind} admitted in {@code second}, and those left out since the last report. */
  private static final class Window {
    long second = Long.MIN_VALUE;
    int written;
    long suppressed;
  }

  private final int perSecond;
  private final Set<String> unlimited;
  private final Map<Kind, Window> windows = new ConcurrentHashMap<>();
  private volatile boolean anySuppressed;

  RepeatLimit(int perSecond, Set<String> unlimited) {
    this.perSecond = perSecond;
    this.unlimited = Set.copyOf(unlimited);
  }

  /** Whether {@code event} is written; otherwise it is counted, to be reported by {@link #drain}. */
  boolean admit(ILoggingEvent event) {
    if (perSecond <= 0 || unlimited.contains(event.getLoggerName())) {
      return true;
    }
    Kind kind = new Kind(event.getLoggerName(), event.getLevel(), event.getMessage());
    Window window = windows.get(kind);
    if (window == null) {
      if (windows.size() >= MAX_KINDS) {
        return true;
      }
      window = windows.computeIfAbsent(kind, k -> new Window());
    }
    long second = Math.floorDiv(event.getTimeStamp(), 1000);
    synchronized (window) {
      if (window.second != second) {
        window.second = second;
        window.written = 0;
      }
      if (window.written < perSecond) {
        window.written++;
        return true;
      }
      window.suppressed++;
    }
    anySuppressed = true;
    return false;
  }

  /**
   * Hands each kind with lines left out since the last call, and how many, to {@code report},
   * and forgets kinds that have been quiet for a second. Called by the log writer only.
   */
  void drain(long nowMillis, ReportSink report) {
    if (!anySuppressed && windows.isEmpty()) {
      return;
    }
    anySuppressed = false;
    long second = Math.floorDiv(nowMillis, 1000);
    for (Iterator<Map.Entry<Kind, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Kind, Window> entry = it.next();
      Window window = entry.getValue();
      long suppressed;
      synchronized (window) {
        suppressed = window.suppressed;
        window.suppressed = 0;
        if (suppressed == 0 && window.second < second - 1) {
          it.remove();
        }
      }
      if (suppressed > 0) {
        report.suppressed(entry.getKey(), suppressed);
      }
    }
  }

  /** Receives what {@link #drain} found. */
  @FunctionalInterface
  interface ReportSink {
    void suppressed(Kind kind, long count);
  }
}
