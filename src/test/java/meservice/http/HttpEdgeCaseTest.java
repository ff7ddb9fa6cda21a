package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import meservice.support.Api.Response;
import meservice.support.CapturedLogs;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP the router never sees (431, 414, broken requests) and clients that stall. The request
 * deadline's rules are RequestDeadlineTest's, on a clock; the two tests here that pace a slow
 * client in real time show that the service's servers apply it (the connection's deadline, and
 * each request's own), which no clock reaches from outside the App.
 */
class HttpEdgeCaseTest {

  private static final int IDLE_TIMEOUT_SECONDS = 1;

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> env.put("HTTP_IDLE_TIMEOUT_SECONDS", String.valueOf(IDLE_TIMEOUT_SECONDS)));

  @Test
  void oversizedHeadersAre431InTheEnvelope() {
    Response response = service.api().send("GET", "/v1/me", Map.of("X-Padding", "x".repeat(20 * 1024)), null);

    assertEquals(431, response.status());
    assertEquals("HEADERS_TOO_LARGE", response.error().getString("code"));
    assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
  }

  @Test
  void overlongUriIs414InTheEnvelope() {
    Response response = service.api().send("GET", "/v1/me?" + "q".repeat(8 * 1024), Map.of(), null);

    assertEquals(414, response.status());
    assertEquals("URI_TOO_LONG", response.error().getString("code"));
  }

  @Test
  void sessionTokenOfEightKiBStillFitsTheHeaderLimit() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("pad", "x".repeat(5 * 1024));
    String token = Tokens.sign(claims);
    assertTrue(token.length() < 8 * 1024);

    assertEquals(200, service.api().get(token).status());
  }

  @Test
  void brokenHttpIs400InTheEnvelopeAndTheConnectionCloses() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nContent-Length: twelve\r\n\r\n");

      String answer = readUntilClosed(socket);

      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"code\":\"BAD_REQUEST\""), answer);
    }
  }

  @Test
  void aHeaderValueWithControlCharactersReachesTheLogEscaped() throws IOException {
    try (CapturedLogs logs = CapturedLogs.of(InvalidRequests.class); Socket socket = connect()) {
      send(socket, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Evil: a\u0000b\u001b[2J\r\n\r\n");

      String answer = readUntilClosed(socket);

      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      String logged = logs.withRequestId(requestId(answer)).getFormattedMessage();
      assertTrue(logged.contains("\\u0000b\\u001b[2J"), logged);
      assertTrue(logged.chars().noneMatch(c -> c < 0x20), logged);
    }
  }

  @Test
  void aPathThatCannotBeRoutedIs400AndReachesTheLogEscaped() throws IOException {
    try (CapturedLogs logs = CapturedLogs.of(ErrorMapper.class); Socket socket = connect()) {
      send(socket, "GET /v1/\u001b[31m% HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

      String answer = readUntilClosed(socket);

      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"code\":\"BAD_REQUEST\""), answer);
      String logged = logs.withRequestId(requestId(answer)).getFormattedMessage();
      assertTrue(logged.contains("/v1/\\u001b[31m%"), logged);
      assertTrue(logged.chars().noneMatch(c -> c < 0x20), logged);
    }
  }

  private static String requestId(String answer) {
    java.util.regex.Matcher id = java.util.regex.Pattern.compile("(?i)x-request-id: (\\S+)").matcher(answer);
    assertTrue(id.find(), answer);
    return id.group(1);
  }

  @Test
  void idleConnectionIsDropped() throws IOException {
    try (Socket socket = connect()) {
      assertEquals("", readUntilClosed(socket), "an idle connection is closed without an answer");
    }
  }

  @Test
  void clientStallingMidHeadersIsDropped() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthori");

      assertEquals("", readUntilClosed(socket));
    }
  }

  @Test
  void clientStallingMidBodyIsDropped() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "PATCH /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
          + Tokens.session(Tokens.newUserId()) + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pref");

      String answer = readUntilClosed(socket);

      assertTrue(answer.isEmpty() || !answer.startsWith("HTTP/1.1 200"), answer);
    }
    assertEquals(200, service.api().get(Tokens.session(Tokens.newUserId())).status(), "the service still answers");
  }

  @Test
  void clientDribblingHeadersFasterThanTheIdleTimeoutIsStillDropped() throws Exception {
    String request = "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(100);
    long started = System.nanoTime();
    try (Socket socket = connect()) {
      boolean closed = false;
      for (int i = 0; i < request.length() && !closed; i++) {
        try {
          send(socket, request.substring(i, i + 1));
        } catch (IOException e) {
          closed = true;
        }
        Thread.sleep(IDLE_TIMEOUT_SECONDS * 1000 / 4);
        closed = closed || (System.nanoTime() - started) / 1e9 > IDLE_TIMEOUT_SECONDS + 8;
      }
      if (!closed) {
        assertEquals("", readUntilClosed(socket));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertTrue(seconds < IDLE_TIMEOUT_SECONDS + 8, "held for " + seconds + " s");
  }

  @Test
  void keepAliveConnectionServesManyRequestsWithinTheDeadline() throws IOException {
    String token = Tokens.session(Tokens.newUserId());
    try (Socket socket = connect()) {
      for (int i = 0; i < 3; i++) {
        send(socket, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n");
        String head = readHead(socket);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
      }
    }
  }

  @Test
  void aRequestArrivingLateOnAKeptAliveConnectionGetsItsOwnDeadline() throws Exception {
    String token = Tokens.session(Tokens.newUserId());
    String body = "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}";
    try (Socket socket = connect()) {
      send(socket, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n");
      assertTrue(readHead(socket).startsWith("HTTP/1.1 200"));
      // Most of a deadline after the previous response (under the idle timeout), a PATCH starts;
      // its body takes 0.6 s more, each byte gap well under the idle timeout. From the previous
      // response that is past the deadline, from its own start it is well within it.
      Thread.sleep(IDLE_TIMEOUT_SECONDS * 800);
      send(socket, "PATCH /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n");
      for (int part = 0; part < 3; part++) {
        Thread.sleep(IDLE_TIMEOUT_SECONDS * 200);
        send(socket, body.substring(part * body.length() / 3, (part + 1) * body.length() / 3));
      }

      String head = readHead(socket);

      assertTrue(head.startsWith("HTTP/1.1 200"), "cut mid-request: '" + head + "'");
    }
  }

  @Test
  void anH2cUpgradeIsNotTaken() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

      String head = readHead(socket);

      assertTrue(head.startsWith("HTTP/1.1 200"), head);
    }
  }

  @Test
  void theHttp2PriorKnowledgePrefaceIsRefusedAsHttp1() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

      String answer = readUntilClosed(socket);

      // Read as an HTTP/1 request line of an unsupported version (Vert.x answers 501), not as
      // the start of an HTTP/2 connection (a binary SETTINGS frame).
      assertTrue(answer.matches("(?s)HTTP/\\S+ (400|501) .*"), answer);
    }
  }

  /** Reads one response (status line, headers and a Content-Length body). */
  private static String readHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
    return head.toString();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", service.app().port());
    // Far past the idle timeout: the read below returns because the server closed, not because we gave up.
    socket.setSoTimeout((IDLE_TIMEOUT_SECONDS + 10) * 1000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        answer.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open: " + answer, e);
    } catch (java.net.SocketException reset) {
      // A reset is a close too.
    }
    return answer.toString(StandardCharsets.UTF_8);
  }
}
