package meservice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * {@code %escaped(...)} in the text log pattern: what it wraps (the message and key-value pairs,
 * which may carry a request's path or header values) is written with control characters as
 * {@code \}{@code uXXXX}, so a CR or LF cannot forge a line and an ESC cannot drive the terminal
 * that shows the log. JSON lines need nothing of the kind: the encoder escapes them.
 */
public final class ControlEscaping extends CompositeConverter<ILoggingEvent> {

  @Override
  protected String transform(ILoggingEvent event, String in) {
    return LogSafe.escapeControls(in);
  }
}
