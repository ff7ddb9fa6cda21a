package meservice;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.slf4j.LoggerFactory;

/** Switches logback between JSON lines ({@code serve}) and readable text ({@code dev}, tests). */
final class Logging {

  private Logging() {}

  static void use(String format) {
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
  }

  /** Lines are written by a background thread: the last ones reach stdout before the JVM exits. */
  static void flush() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
  }
}
