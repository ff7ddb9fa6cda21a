package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import meservice.http.ErrorMapper;
import meservice.logging.JsonLineEncoder;
import meservice.support.Api.Response;
import meservice.support.CapturedLogs;
import meservice.support.RawHttp;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** One access line per request, carrying its request id, and nothing secret. */
class AccessLogTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private final Logger access = (Logger) LoggerFactory.getLogger("meservice.access");
  private CapturedLogs captured;

  @BeforeEach
  void capture() {
    captured = CapturedLogs.of("meservice.access");
  }

  @AfterEach
  void release() {
    captured.close();
  }

  @Test
  void anAccessLineCarriesTheRequestIdOfItsResponse() throws Exception {
    String token = Tokens.session(Tokens.newUserId());
    Response response = service.api().get(token);

    Map<String, String> line = lineFor(response.header("X-Request-Id"));

    assertEquals("GET", line.get("http.request.method"));
    assertEquals("/v1/me", line.get("http.route"));
    assertEquals("200", line.get("http.response.status_code"));
    assertEquals("user", line.get("principal"));
  }

  @Test
  void theDurationRunsFromTheRequestToTheEndOfItsAnswer() throws Exception {
    String token = Tokens.session(Tokens.newUserId());
    String body = "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}";
    long started = System.nanoTime();
    String head;
    try (Socket socket = new Socket("127.0.0.1", service.app().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("PATCH /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // The body comes 400 ms after the head: the server cannot answer before it has it.
      Thread.sleep(400);
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
    long clientMillis = (System.nanoTime() - started) / 1_000_000;
    java.util.regex.Matcher id = java.util.regex.Pattern.compile("(?i)x-request-id: (\\S+)").matcher(head);
    assertTrue(head.startsWith("HTTP/1.1 200") && id.find(), head);

    long millis = Long.parseLong(lineFor(id.group(1)).get("duration_ms"));

    assertTrue(millis >= 400, "logged " + millis + " ms for a request that took at least 400 ms");
    assertTrue(millis <= clientMillis, "logged " + millis + " ms, the client saw " + clientMillis + " ms");
  }

  @Test
  void failuresAreLoggedWithTheirStatusAndNoCredential() throws Exception {
    String expired = Tokens.sign(Tokens.claims(Tokens.newUserId()).put("exp", Tokens.now() - 3600));
    Response response = service.api().get(expired);

    Map<String, String> line = lineFor(response.header("X-Request-Id"));

    assertEquals("401", line.get("http.response.status_code"));
    assertEquals("none", line.get("principal"));
    for (ILoggingEvent event : captured.events()) {
      assertFalse(event.getFormattedMessage().contains(expired), "token in the message");
      assertFalse(String.valueOf(event.getKeyValuePairs()).contains(expired), "token in the key-values");
    }
  }

  @Test
  void anHttp11RequestWithoutHostIs400WithARequestIdAnAccessLineAndOneShortLine() throws Exception {
    try (CapturedLogs errors = CapturedLogs.of(ErrorMapper.class)) {
      RawHttp.Answer answer = RawHttp.exchange(service.app().port(),
          "GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);

      assertEquals(400, answer.status(), answer.text());
      String requestId = answer.header("X-Request-Id");
      assertEquals(26, requestId.length());
      assertEquals("BAD_REQUEST", answer.json().getJsonObject("error").getString("code"));
      assertEquals(requestId, answer.json().getJsonObject("error").getString("request_id"));
      assertEquals("400", lineFor(requestId).get("http.response.status_code"));
      ILoggingEvent logged = errors.withRequestId(requestId);
      assertEquals(Level.INFO, logged.getLevel());
      assertEquals(null, logged.getThrowableProxy(), "a client error has no stack trace");
      assertTrue(logged.getFormattedMessage().contains("'Host' header is required"), logged.getFormattedMessage());
    }
  }

  @Test
  void inJsonLinesTheRequestFieldsAreTopLevelFields() throws Exception {
    Response response = service.api().send("GET", "/health/live", Map.of(), null);
    ILoggingEvent event = eventFor(response.header("X-Request-Id"));
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(access.getLoggerContext());
    encoder.start();

    String json = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertTrue(json.endsWith("\n") && json.indexOf('\n') == json.length() - 1, "one line");
    JsonObject parsed = new JsonObject(json);
    assertEquals("meservice.access", parsed.getString("logger"));
    assertEquals(response.header("X-Request-Id"), parsed.getString("request_id"), json);
    assertEquals("GET", parsed.getString("http.request.method"));
    assertEquals("/health/live", parsed.getString("http.route"));
    assertEquals(200, parsed.getValue("http.response.status_code"));
    assertFalse(parsed.containsKey("status"), "status is the level to Datadog: " + json);
    long millis = ((Number) parsed.getValue("duration_ms")).longValue();
    assertEquals(Instant.ofEpochMilli(event.getTimeStamp()), Instant.parse(parsed.getString("@timestamp")));
    assertEquals("GET /health/live 200 " + millis + "ms", parsed.getString("message"));
  }

  private Map<String, String> lineFor(String requestId) throws InterruptedException {
    return eventFor(requestId).getKeyValuePairs().stream()
        .collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value)));
  }

  /** The line is written when the response has ended, which can be just after the client has it. */
  private ILoggingEvent eventFor(String requestId) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      List<ILoggingEvent> matching = captured.events().stream()
          .filter(event -> event.getKeyValuePairs() != null && event.getKeyValuePairs().stream()
              .anyMatch(kv -> kv.key.equals("request_id") && requestId.equals(kv.value)))
          .toList();
      if (!matching.isEmpty()) {
        assertEquals(1, matching.size(), "one access line per request");
        return matching.get(0);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no access line with request id " + requestId);
  }
}
