package meservice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per line, the shape log shippers (Logstash/Elastic, Datadog, Loki, Cloud
 * Logging) read without a parser of their own: {@code @timestamp} (ISO-8601, UTC, milliseconds),
 * {@code level}, {@code logger}, {@code thread}, {@code message}, then each key-value pair of the
 * line as a top-level field ({@code request_id}, {@code method}, {@code route}, {@code status},
 * {@code duration_ms}, ...; numbers stay numbers), and {@code stack_trace} when there is one.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> implements LineWriter {

  private static final JsonFactory JSON = new JsonFactory()
      // A line is flushed into the writer's buffer, never through it: one write call per batch.
      .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM)
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  private static final byte[] NO_BYTES = new byte[0];
  /** Key-value pairs cannot shadow the fixed fields. */
  private static final Set<String> FIXED = Set.of("@timestamp", "level", "logger", "thread", "message", "stack_trace");

  /** The writer thread's generator, kept from line to line with the stream it writes into. */
  private JsonGenerator streaming;
  private OutputStream streamingTo;

  @Override
  public byte[] headerBytes() {
    return NO_BYTES;
  }

  @Override
  public byte[] footerBytes() {
    return NO_BYTES;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      writeObject(json, event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** One thread only (the appender's writer): no generator, buffer or byte array per line. */
  @Override
  public void write(ILoggingEvent event, OutputStream out) throws IOException {
    if (streamingTo != out) {
      streaming = JSON.createGenerator(out);
      // Lines end in '\n' (below); Jackson would also put a space before each object but the first.
      streaming.setRootValueSeparator(null);
      streamingTo = out;
    }
    try {
      writeObject(streaming, event);
      streaming.writeRaw('\n');
      streaming.flush();
    } catch (IOException | RuntimeException e) {
      // A generator that failed mid-line is in no state to write the next one.
      streamingTo = null;
      throw e;
    }
  }

  private void writeObject(JsonGenerator json, ILoggingEvent event) throws IOException {
    json.writeStartObject();
    json.writeStringField("@timestamp", timestamp(event.getTimeStamp()));
    json.writeStringField("level", event.getLevel().toString());
    json.writeStringField("logger", event.getLoggerName());
    json.writeStringField("thread", event.getThreadName());
    json.writeStringField("message", event.getFormattedMessage());
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (pair.key != null && !FIXED.contains(pair.key)) {
          writeValue(json, pair.key, pair.value);
        }
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      json.writeStringField("stack_trace", ThrowableProxyUtil.asString(thrown));
    }
    json.writeEndObject();
  }

  /** The formatted second, kept: thousands of lines share it, and only the milliseconds differ. */
  private record Second(long epochSecond, String prefix) {}

  private volatile Second second = new Second(Long.MIN_VALUE, "");

  /** ISO-8601 in UTC with milliseconds, {@code 2026-11-27T21:45:38.322Z}. */
  String timestamp(long epochMillis) {
    long epochSecond = Math.floorDiv(epochMillis, 1000);
    Second current = second;
    if (current.epochSecond() != epochSecond) {
      String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond)); // ...:38Z
      current = new Second(epochSecond, whole.substring(0, whole.length() - 1) + ".");
      second = current;
    }
    int millis = (int) Math.floorMod(epochMillis, 1000);
    return current.prefix() + (char) ('0' + millis / 100) + (char) ('0' + millis / 10 % 10) + (char) ('0' + millis % 10) + "Z";
  }

  private static void writeValue(JsonGenerator json, String key, Object value) throws IOException {
    json.writeFieldName(key);
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else if (value == null) {
      json.writeNull();
    } else {
      json.writeString(value.toString());
    }
  }
}
