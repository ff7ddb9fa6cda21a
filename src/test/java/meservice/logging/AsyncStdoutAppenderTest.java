package meservice.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logging never waits for its output: a full queue drops and counts; the lines are flat JSON. */
@Tag("unit")
class AsyncStdoutAppenderTest {

  /** The JVM's own context (its MDC adapter is set up), for events only; nothing is attached to it. */
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger logger = context.getLogger("meservice.access");

  @Test
  void aFullQueueDropsAndCountsLinesInsteadOfBlockingTheCaller() throws Exception {
    CountDownLatch stdoutStuck = new CountDownLatch(1);
    CountDownLatch writerTookOne = new CountDownLatch(1);
    AsyncStdoutAppender appender = new AsyncStdoutAppender();
    appender.setContext(context);
    appender.setQueueSize(4);
    appender.setOutputStream(new ByteArrayOutputStream());
    // An encoder that hangs like a write to a full pipe, until released.
    appender.setEncoder(new EncoderBase<>() {
      @Override
      public byte[] headerBytes() {
        return new byte[0];
      }

      @Override
      public byte[] encode(ILoggingEvent event) {
        writerTookOne.countDown();
        try {
          stdoutStuck.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new byte[0];
      }

      @Override
      public byte[] footerBytes() {
        return new byte[0];
      }
    });
    appender.start();
    long droppedBefore = AsyncStdoutAppender.dropped();

    appender.doAppend(event("first"));
    assertTrue(writerTookOne.await(5, TimeUnit.SECONDS), "the writer took the first line");
    long started = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      appender.doAppend(event("line " + i));
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // 4 fit in the queue behind the stuck one; the other 96 are dropped, at once.
    assertEquals(96, AsyncStdoutAppender.dropped() - droppedBefore);
    assertTrue(millis < 1000, "appending took " + millis + " ms");
    stdoutStuck.countDown();
    appender.stop();
  }

  @Test
  void linesAreWrittenInOrderAsFlatJsonWithAnIsoTimestamp() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AsyncStdoutAppender appender = jsonLinesInto(out);

    LoggingEvent access = event("GET /v1/me 200 3ms");
    access.addKeyValuePair(new org.slf4j.event.KeyValuePair("request_id", "01JDQ7Z5T8XK2V3M4N5P6Q7R8S"));
    access.addKeyValuePair(new org.slf4j.event.KeyValuePair("http.response.status_code", 200));
    access.addKeyValuePair(new org.slf4j.event.KeyValuePair("duration_ms", 3L));
    access.addKeyValuePair(new org.slf4j.event.KeyValuePair("method", "GET \"quoted\"\n"));
    appender.doAppend(access);
    appender.doAppend(event("second"));
    appender.stop();

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length, out.toString(StandardCharsets.UTF_8));
    for (String line : lines) {
      assertTrue(line.startsWith("{\"@timestamp\":"), "each line is one bare object: " + line);
    }
    JsonObject first = new JsonObject(lines[0]);
    assertEquals(Instant.ofEpochMilli(access.getTimeStamp()), Instant.parse(first.getString("@timestamp")));
    assertEquals("INFO", first.getString("level"));
    assertEquals("meservice.access", first.getString("logger"));
    assertEquals("GET /v1/me 200 3ms", first.getString("message"));
    assertEquals("01JDQ7Z5T8XK2V3M4N5P6Q7R8S", first.getString("request_id"));
    assertEquals(200, first.getValue("http.response.status_code"));
    assertEquals(3, first.getValue("duration_ms"));
    assertEquals("GET \"quoted\"\n", first.getString("method"), "escaped, still one line");
    assertEquals("second", new JsonObject(lines[1]).getString("message"));
  }

  @Test
  void aMessageIsFormattedWithItsArgumentsAsTheyWereWhenLogged() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AsyncStdoutAppender appender = jsonLinesInto(out);

    StringBuilder mutable = new StringBuilder("before");
    appender.doAppend(new LoggingEvent("test", logger, Level.INFO, "{} {} {}", null,
        new Object[] {mutable, 7, java.util.UUID.fromString("00000000-0000-0000-0000-000000000001")}));
    appender.doAppend(new LoggingEvent("test", logger, Level.INFO, "{} {}", null, new Object[] {"GET", 200}));
    mutable.replace(0, mutable.length(), "after");
    appender.stop();

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("before 7 00000000-0000-0000-0000-000000000001", new JsonObject(lines[0]).getString("message"));
    assertEquals("GET 200", new JsonObject(lines[1]).getString("message"));
  }

  @Test
  void timestampsAreIsoInstantsWithMilliseconds() {
    JsonLineEncoder encoder = new JsonLineEncoder();
    for (long millis : new long[] {0L, 999L, 1_000L, 1_764_279_938_007L, 1_764_279_938_322L, 1_764_279_939_000L, -1L}) {
      String text = encoder.timestamp(millis);
      assertEquals(Instant.ofEpochMilli(millis), Instant.parse(text), text);
      assertEquals(24, text.length(), text);
    }
  }

  @Test
  void theTextFormatWritesControlCharactersFromARequestEscaped() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext configured = configuredFrom("/logback.xml", out);

    configured.getLogger("meservice.http.InvalidRequests").atInfo()
        .addKeyValue("request_id", "01JDQ7Z5T8XK2V3M4N5P6Q7R8S\r\n12:00:00.000 INFO forged")
        .log("BAD_REQUEST: {}", "a header value contains a prohibited character: a\u0000b\u001b[2J\u009b");
    configured.stop();

    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, text.split("\n").length, text);
    assertTrue(text.endsWith("\n"), text);
    assertTrue(text.substring(0, text.length() - 1).chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0)), text);
    assertTrue(text.contains("a\\u0000b\\u001b[2J\\u009b"), text);
    assertTrue(text.contains("\\u000d\\u000a12:00:00.000 INFO forged"), text);
  }

  @Test
  void linesOfOneKindPastTenASecondAreLeftOutAndCountedOnOneLine() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext configured = configuredFrom("/logback-json.xml", out);
    long suppressedBefore = AsyncStdoutAppender.suppressed();
    org.slf4j.Logger errors = configured.getLogger("meservice.http.ErrorMapper");
    org.slf4j.Logger accessLog = configured.getLogger("meservice.access");

    // Within one second (a slow machine may straddle two: then up to 20 pass).
    long started = System.currentTimeMillis();
    for (int i = 0; i < 1000; i++) {
      errors.info("{}: {}", "UNAUTHORIZED", "[signature] attempt " + i);
      accessLog.info("{} {} {} {}ms", "GET", "/v1/me", 401, 0);
    }
    errors.warn("another kind of line");
    long seconds = (System.currentTimeMillis() - started) / 1000 + 1;
    configured.stop();

    List<JsonObject> lines = out.toString(StandardCharsets.UTF_8).lines().map(JsonObject::new).toList();
    long written = lines.stream().filter(l -> l.getString("message").startsWith("UNAUTHORIZED")).count();
    assertTrue(written >= 10 && written <= 10 * (seconds + 1), written + " written in " + seconds + " s");
    assertEquals(1000, lines.stream().filter(l -> l.getString("logger").equals("meservice.access")).count(),
        "access lines are one per request: never left out");
    assertEquals(1, lines.stream().filter(l -> l.getString("message").equals("another kind of line")).count());
    long reported = lines.stream().map(l -> l.getString("message"))
        .filter(m -> m.startsWith("left out ") && m.contains("\"{}: {}\""))
        .mapToLong(m -> Long.parseLong(m.split(" ")[2])).sum();
    assertEquals(1000 - written, reported, "every line left out is reported");
    // The counter is the JVM's (the metric): other appenders may add to it meanwhile, never take away.
    assertTrue(AsyncStdoutAppender.suppressed() - suppressedBefore >= 1000 - written);
  }

  @Test
  void vertxWebDoesNotRepeatEachRoutingFailureWithItsExceptionAtDebug() throws Exception {
    for (String resource : new String[] {"/logback.xml", "/logback-json.xml"}) {
      LoggerContext configured = configuredFrom(resource, new ByteArrayOutputStream());
      configured.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);

      assertEquals(Level.INFO, configured.getLogger("io.vertx.ext.web.RoutingContext").getEffectiveLevel(), resource);
      configured.stop();
    }
  }

  /** A context configured from one of the service's logback files, its appender writing into {@code out}. */
  private static LoggerContext configuredFrom(String resource, ByteArrayOutputStream out) throws Exception {
    LoggerContext configured = new LoggerContext();
    configured.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
    joran.setContext(configured);
    joran.doConfigure(AsyncStdoutAppenderTest.class.getResource(resource));
    AsyncStdoutAppender appender = (AsyncStdoutAppender) configured.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    appender.stop();
    appender.setOutputStream(out);
    appender.start();
    return configured;
  }

  /** A started appender writing JSON lines into {@code out}. */
  private AsyncStdoutAppender jsonLinesInto(ByteArrayOutputStream out) {
    AsyncStdoutAppender appender = new AsyncStdoutAppender();
    appender.setContext(context);
    appender.setOutputStream(out);
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private LoggingEvent event(String message) {
    LoggingEvent event = new LoggingEvent("test", logger, Level.INFO, message, null, null);
    event.setTimeStamp(System.currentTimeMillis());
    return event;
  }
}
