package meservice;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import meservice.config.AppConfig;
import org.slf4j.LoggerFactory;

/** Switches logback between JSON lines ({@code serve}) and readable text ({@code dev}, tests). */
final class Logging {

  private Logging() {}

  /** {@code LOG_FORMAT}, else the command's {@code defaultFormat}; {@code LOG_LEVEL} and {@code LOG_ROOT_LEVEL}. */
  static void use(AppConfig.Logging settings, String defaultFormat) {
    String format = settings.format() != null ? settings.format() : defaultFormat;
    String resource = "json".equals(format) ? "/logback-json.xml" : "/logback.xml";
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(Logging.class.getResource(resource));
    } catch (Exception e) {
      throw new IllegalStateException("cannot configure logging from " + resource, e);
    }
    context.getLogger("meservice").setLevel(Level.toLevel(settings.levels().service()));
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(settings.levels().root()));
  }

  /** Lines are written by a background thread: the last ones reach stdout before the JVM exits. */
  static void flush() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
  }
}
