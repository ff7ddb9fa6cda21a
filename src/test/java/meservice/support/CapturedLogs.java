package meservice.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** The log events of one logger (and its children) while open: {@code try (var logs = CapturedLogs.of(...))}. */
public final class CapturedLogs implements AutoCloseable {

  private final Logger logger;
  private final Level levelBefore;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private CapturedLogs(Logger logger, Level level) {
    this.logger = logger;
    this.levelBefore = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    appender.start();
    logger.addAppender(appender);
  }

  public static CapturedLogs of(Class<?> type) {
    return of(type.getName());
  }

  public static CapturedLogs of(String name) {
    return of(name, null);
  }

  /** Lines of {@code level} and above, whatever the logger's configured level; restored on close. */
  public static CapturedLogs of(String name, Level level) {
    return new CapturedLogs((Logger) LoggerFactory.getLogger(name), level);
  }

  /** The one event carrying {@code request_id}; fails when there is none or several. */
  public ILoggingEvent withRequestId(String requestId) {
    List<ILoggingEvent> found;
    // Appenders append under their own lock (AppenderBase), so reads take it too.
    synchronized (appender) {
      found = appender.list.stream().filter(e -> requestId.equals(requestId(e))).toList();
    }
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " log events with request_id " + requestId + ": " + found);
    }
    return found.get(0);
  }

  /** Every event so far. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** Every formatted message so far. */
  public List<String> messages() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private static String requestId(ILoggingEvent event) {
    if (event.getKeyValuePairs() == null) {
      return null;
    }
    for (KeyValuePair pair : event.getKeyValuePairs()) {
      if ("request_id".equals(pair.key) && !event.getLoggerName().equals("meservice.access")) {
        return String.valueOf(pair.value);
      }
    }
    return null;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(levelBefore);
  }
}
