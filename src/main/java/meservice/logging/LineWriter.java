package meservice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An encoder that writes a line straight into the log writer's buffer, without a byte array per
 * line. Called by one thread only: the {@link AsyncStdoutAppender}'s writer.
 */
interface LineWriter {

  void write(ILoggingEvent event, OutputStream out) throws IOException;
}
