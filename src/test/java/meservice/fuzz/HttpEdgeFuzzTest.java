package meservice.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import meservice.App;
import meservice.http.ErrorCode;
import meservice.support.CapturedLogs;
import meservice.support.ErrorCodes;
import meservice.support.RawHttp;
import meservice.support.RawHttp.Answer;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the HTTP edge through a real socket, the way {@link PatchBodyFuzzTest}
 * fuzzes bodies: any method, request target (paths under {@code /docs} above all, with the
 * spellings a router normalizes: trailing slashes, dot segments, percent-escapes) and headers
 * (no {@code Host}, several, broken lengths, control characters). Invariants: every request is
 * answered, never with a 5xx other than 503; every error is the envelope with the
 * {@code X-Request-Id} it was answered with; and nothing from it is logged at ERROR or with a
 * stack trace. 2,000 + 3,000 tries per run.
 */
class HttpEdgeFuzzTest {

  private static final Set<String> CODES = ErrorCodes.all().stream().map(ErrorCode::name).collect(Collectors.toSet());
  private static final Pattern ASSET = Pattern.compile("/docs/([0-9a-f]{16})/");

  private static Vertx vertx;
  private static App app;
  private static CapturedLogs logs;
  private static String assets;
  private static String token;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    app = App.start(vertx, TestConfig.config()).toCompletionStage().toCompletableFuture().join();
    Answer page = RawHttp.exchange(app.port(), request("GET", "/docs", "HTTP/1.1", List.of("Host: x"), ""), false);
    Matcher m = ASSET.matcher(page.text());
    assertTrue(m.find(), page.text());
    assets = m.group(1);
    token = Tokens.sign(Tokens.claims(Tokens.newUserId()).put("exp", Tokens.now() + 3600));
    logs = CapturedLogs.of("meservice");
  }

  @AfterContainer
  static void stop() {
    try {
      List<ILoggingEvent> bad = logs.events().stream()
          .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
          .toList();
      assertEquals(List.of(), bad.stream().map(ILoggingEvent::getFormattedMessage).toList(),
          "requests from outside are logged as client errors: short, without a stack trace");
    } finally {
      logs.close();
      app.stop().toCompletionStage().toCompletableFuture().join();
      vertx.close();
    }
  }

  @Property(tries = 2000)
  void anyPathUnderDocsIsAnAssetOrAnEnvelope(@ForAll("docsPaths") String path, @ForAll("methods") String method) {
    Answer answer = send(method, path, "HTTP/1.1", List.of("Host: localhost"), "");

    assertAnswered(answer, method, path);
    Statistics.label("status").collect(answer.status());
    Statistics.label("status").coverage(coverage -> {
      coverage.check(200).count(count -> count > 0);
      coverage.check(404).count(count -> count > 0);
    });
  }

  @Property(tries = 3000)
  void anyRequestIsAnsweredWithAnEnvelopeAndNeverA500(
      @ForAll("methods") String method, @ForAll("targets") String target, @ForAll("versions") String version,
      @ForAll("headers") List<String> headers, @ForAll("bodies") String body) {
    Answer answer = send(method, target, version, headers, body);

    assertAnswered(answer, method, target + " " + headers);
    Statistics.label("status").collect(answer.status());
    Statistics.label("status").coverage(coverage -> {
      for (int status : new int[] {200, 400, 401, 404, 405}) {
        coverage.check(status).count(count -> count > 0);
      }
    });
  }

  /**
   * A request whose chunked body does not parse is a framing error (a smuggling attempt looks like
   * this): Netty's decoder fails and Vert.x closes the connection at once, before the answer to the
   * request it had already read is written. Nothing after the bad chunk is read as a request, and
   * the service goes on serving. (RFC 9112 allows closing; a 400 first would be nicer, and Vert.x
   * offers no hook for it.)
   */
  @Example
  void aChunkedBodyThatDoesNotParseClosesTheConnection() {
    byte[] request = ("GET /v1/me HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "zz\r\nGET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    Answer answer = RawHttp.exchange(app.port(), request, false);

    if (answer != null) {
      assertNotEquals(200, answer.status(), "the smuggled request is never answered: " + answer.text());
    }
    Answer next = send("GET", "/health/live", "HTTP/1.1", List.of("Host: localhost"), "");
    assertEquals(200, next.status());
  }

  private static Answer send(String method, String target, String version, List<String> headers, String body) {
    byte[] request = request(method, target, version, headers, body);
    return RawHttp.exchange(app.port(), request, method.equals("HEAD"));
  }

  private static void assertAnswered(Answer answer, String method, String what) {
    assertNotNull(answer, "closed without an answer: " + method + " " + what);
    int status = answer.status();
    assertTrue(status < 500 || status == 503, status + " for " + method + " " + what + ": " + answer.text());
    String requestId = answer.header("X-Request-Id");
    assertNotNull(requestId, "no X-Request-Id: " + method + " " + what);
    assertEquals(26, requestId.length(), requestId);
    if (status >= 400 && !method.equals("HEAD")) {
      JsonObject body = answer.json();
      assertFalse(body.getBoolean("success"), answer.text());
      JsonObject error = body.getJsonObject("error");
      assertTrue(CODES.contains(error.getString("code")), answer.text());
      assertEquals(requestId, error.getString("request_id"), answer.text());
      assertFalse(answer.text().contains("Exception"), answer.text());
    }
  }

  /** The request's bytes, each header as given (Latin-1), {@code Connection: close} last. */
  private static byte[] request(String method, String target, String version, List<String> headers, String body) {
    StringBuilder text = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append("\r\n");
    // Framed as the message itself says (RFC 9112 6.3): chunked whenever a Transfer-Encoding ends in
    // chunked, whatever else it lists. A body that does not parse as the framing says is another
    // case: aChunkedBodyThatDoesNotParseClosesTheConnection.
    boolean chunked = headers.stream().anyMatch(h -> h.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)
        && h.strip().toLowerCase(java.util.Locale.ROOT).endsWith("chunked"));
    boolean hasLength = headers.stream().anyMatch(h -> h.regionMatches(true, 0, "Content-Length:", 0, 15));
    for (String header : headers) {
      text.append(header).append("\r\n");
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!chunked && !hasLength && bytes.length > 0) {
      text.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    text.append("Connection: close\r\n\r\n");
    StringBuilder rest = new StringBuilder();
    if (chunked) {
      if (bytes.length > 0) {
        rest.append(Integer.toHexString(bytes.length)).append("\r\n").append(body).append("\r\n");
      }
      rest.append("0\r\n\r\n");
    } else if (!hasLength) {
      rest.append(body);
    }
    byte[] head = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] tail = rest.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  // ---- generators ----

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.just("GET")),
        Tuple.of(4, Arbitraries.of("HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")),
        Tuple.of(1, Arbitraries.of("get", "PROPFIND", "M-SEARCH", "X", "PRI", "GET\u0001", "G\u00e9T")),
        Tuple.of(1, Arbitraries.strings().withChars("!#$%&'*+-.^_`|~ABCXYZabc0129").ofMinLength(1).ofMaxLength(20)));
  }

  @Provide
  Arbitrary<String> versions() {
    return Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("HTTP/1.1")), Tuple.of(1, Arbitraries.just("HTTP/1.0")));
  }

  /** {@code /docs} and what a router might take for one of its assets. */
  @Provide
  Arbitrary<String> docsPaths() {
    Arbitrary<String> pieces = Arbitraries.of(
        "/", "//", "/" + assets, assets, "/docs.js", "/swagger-ui.css", "/favicon-32x32.png", "/swagger-ui-bundle.js",
        "docs.js", "/..", "/.", "/%2e%2e", "%2F", "%2f", "%00", "%", "%zz", "%41", "?a=1", "#f", ";x=1", "~", "+",
        "/DOCS.JS", "/0000000000000000", "\u00e9", "\t");
    return Combinators.combine(pieces.list().ofMaxSize(5), Arbitraries.of("", "/", "?", "//"))
        .as((parts, end) -> "/docs" + String.join("", parts) + end);
  }

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.of("v1", "me", "health", "live", "ready", "metrics", "openapi.json", "docs", assets, "docs.js",
            "", ".", "..", "%2e", "%2E%2E", "%2F", "%00", "%", "%u0041", "%ff", ";", "me;a=b", "ME", "V1", "\u00e9",
            "\u001b[31m"),
        Arbitraries.strings().withChars("abcXYZ019-._~!$&'()*+,;=:@%").ofMaxLength(12));
    Arbitrary<String> path = Combinators.combine(segment.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of("", "/"),
            Arbitraries.of("", "", "?a=b", "?", "?a=%zz&&=", "#x"))
        .as((segments, slash, query) -> "/" + String.join("/", segments) + slash + query);
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of("/v1/me", "/v1/me/", "/health/live", "/health/ready", "/metrics", "/openapi.json",
            "/docs", "/docs/", "/")),
        Tuple.of(8, path),
        Tuple.of(1, Arbitraries.of("*", "http://localhost/v1/me", "http://x", "https://localhost:1/health/live",
            "//v1/me", "v1/me", "/v1/me?" + "q".repeat(3000))));
  }

  @Provide
  Arbitrary<List<String>> headers() {
    Arbitrary<String> host = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just("Host: localhost")),
        Tuple.of(2, Arbitraries.just(null)),
        Tuple.of(1, Arbitraries.of("Host:", "Host: a b", "Host: [::1]:80", "Host: x:99999", "Host: \u00e9",
            "Host: localhost\r\nHost: other", "Host: @evil", "Host: x\u0001")));
    Arbitrary<String> authorization = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(null)),
        Tuple.of(2, Arbitraries.just("Authorization: Bearer " + token)),
        Tuple.of(2, Arbitraries.of("Authorization: Bearer", "Authorization: Bearer x.y.z", "Authorization: Basic YTpi",
            "Authorization: Bearer mek_" + "a".repeat(43), "Authorization: Bearer \u001b[2J", "Authorization: bearer  "
                + token + " ", "Authorization: Bearer " + token.substring(0, token.length() - 3))));
    Arbitrary<String> other = Arbitraries.of(
        "Content-Type: application/json", "Content-Type: application/merge-patch+json; charset=utf-8",
        "Content-Type: text/plain", "Content-Type: multipart/form-data; boundary=x", "Content-Type: ",
        "Content-Length: abc", "Content-Length: -1", "Content-Length: 99999999999999999999",
        "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked, chunked",
        "X-Request-Id: 01ARZ3NDEKTSV4RRFFQ69G5FAV", "X-Request-Id: not-a-ulid", "X-Request-Id: \u0001\u007f",
        "X-Forwarded-For: 1.2.3.4", "X-Forwarded-For: unknown, 1.2.3.4:5678", "Origin: https://dashboard.example.com",
        "Origin: null", "Access-Control-Request-Method: PATCH", "If-None-Match: *", "If-None-Match: \"0-x\", W/\"1\"",
        "If-Match: \u0001", "If-Match: *", "Accept-Encoding: gzip;q=0, br", "Accept-Encoding: gzip",
        "Expect: 100-continue", "Expect: something-else", "Upgrade: websocket", "Upgrade: h2c",
        "X-Evil: a\u0000b\u001b[2J", "X-\u001b[31m: 1", "X-Long: " + "v".repeat(2000), " leading: space",
        "NoColon", "X-Tab:\tvalue\t", "X-Obs: a\r\n folded");
    Arbitrary<List<String>> others = other.list().ofMaxSize(4);
    return Combinators.combine(host, authorization, others).as((h, a, rest) -> {
      List<String> headers = new ArrayList<>();
      if (h != null) {
        headers.add(h);
      }
      if (a != null) {
        headers.add(a);
      }
      headers.addAll(rest);
      return headers;
    });
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just("")),
        Tuple.of(2, Arbitraries.of("{}", "{\"preferences\": {\"timezone\": \"UTC\"}}", "{\"preferences\": {\"x\": 1}}",
            "null", "[", "\u0000")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(100)));
  }
}
