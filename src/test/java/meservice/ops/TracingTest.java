package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import meservice.App;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.CapturedLogs;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service traced through OTEL_* variables, exporting to a real OTLP/HTTP receiver in the test
 * that decodes the protobuf it is sent: the span tree a request makes, as a collector sees it.
 */
class TracingTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  /** Every span the receiver was sent, decoded. */
  private static final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();
  private static final ConcurrentLinkedQueue<String> contentTypes = new ConcurrentLinkedQueue<>();
  private static Vertx receiverVertx;
  private static Vertx vertx;
  private static App app;
  private static Api api;
  private static int receiverPort;

  private static Map<String, String> tracedEnv() {
    Map<String, String> env = TestConfig.env();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiverPort);
    return env;
  }

  record Received(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
      Map<String, String> attributes, Map<String, String> resource) {}

  @BeforeAll
  static void start() throws Exception {
    receiverVertx = Vertx.vertx();
    HttpServer receiver = receiverVertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals("/v1/traces")) {
        request.response().setStatusCode(404).end();
        return;
      }
      contentTypes.add(String.valueOf(request.getHeader("Content-Type")));
      request.body().onSuccess(body -> {
        try {
          decode(ExportTraceServiceRequest.parseFrom(body.getBytes()));
          request.response().putHeader("Content-Type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
        } catch (Exception e) {
          request.response().setStatusCode(400).end();
        }
      });
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    receiverPort = receiver.actualPort();
    Map<String, String> env = tracedEnv();
    // Exported within 50 ms of ending, so a test waits little.
    env.put("OTEL_BSP_SCHEDULE_DELAY", "50");
    vertx = App.vertx(env);
    app = App.start(vertx, TestConfig.config(env)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    api = new Api(app.port(), app.managementPort());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      receiverVertx.close();
    }
  }

  private static void decode(ExportTraceServiceRequest request) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Map<String, String> resource = attributes(resourceSpans.getResource().getAttributesList());
      for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          spans.add(new Received(hex(span.getTraceId()), hex(span.getSpanId()), hex(span.getParentSpanId()),
              span.getName(), span.getKind(), attributes(span.getAttributesList()), resource));
        }
      }
    }
  }

  private static Map<String, String> attributes(List<KeyValue> pairs) {
    Map<String, String> attributes = new HashMap<>();
    for (KeyValue pair : pairs) {
      attributes.put(pair.getKey(), pair.getValue().hasStringValue()
          ? pair.getValue().getStringValue() : pair.getValue().toString().trim());
    }
    return attributes;
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  /** A caller's trace context: a new trace id, the caller's span id, sampled. */
  private record Parent(String traceId, String spanId) {
    static Parent random() {
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      RANDOM.nextBytes(trace);
      RANDOM.nextBytes(span);
      return new Parent(HEX.formatHex(trace), HEX.formatHex(span));
    }

    String traceparent() {
      return "00-" + traceId + "-" + spanId + "-01";
    }
  }

  /** The spans of {@code traceId} once {@code done} holds for them; fails after 20 s. */
  private static List<Received> awaitTrace(String traceId, Predicate<List<Received>> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      List<Received> trace = spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
      if (done.test(trace)) {
        return trace;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("trace " + traceId + " incomplete after 20 s: " + trace);
      }
      Thread.sleep(20);
    }
  }

  private static boolean hasServerAndSqlChild(List<Received> trace) {
    Received server = trace.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElse(null);
    return server != null && trace.stream().anyMatch(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
        && s.parentSpanId().equals(server.spanId()));
  }

  private static Received server(List<Received> trace) {
    List<Received> servers = trace.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
    assertEquals(1, servers.size(), "server spans: " + trace);
    return servers.get(0);
  }

  /** The access line of {@code response}: written once the response has ended, so waited for. */
  private static Map<String, String> accessLine(CapturedLogs access, Response response) throws InterruptedException {
    String requestId = response.header("X-Request-Id");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<ILoggingEvent> lines = access.events().stream().filter(e -> e.getKeyValuePairs() != null
          && e.getKeyValuePairs().stream().anyMatch(p -> p.key.equals("request_id") && requestId.equals(p.value)))
          .toList();
      if (!lines.isEmpty()) {
        assertEquals(1, lines.size(), "one access line per request");
        return lines.get(0).getKeyValuePairs().stream()
            .collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no access line for " + requestId);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aGetIsAServerSpanNamedByItsRouteUnderTheCallersSpanWithItsSqlStatementBelow() throws Exception {
    Parent parent = Parent.random();
    String token = Tokens.session(Tokens.newUserId());
    Response response;
    try (CapturedLogs access = CapturedLogs.of("meservice.access")) {
      // A new user: the cache misses, so the read goes to PostgreSQL.
      response = api.send("GET", "/v1/me", Map.of("Authorization", "Bearer " + token,
          "traceparent", parent.traceparent()), null);
      assertEquals(200, response.status(), response.text());

      List<Received> trace = awaitTrace(parent.traceId(), TracingTest::hasServerAndSqlChild);
      Received server = server(trace);
      assertEquals(parent.spanId(), server.parentSpanId());
      assertEquals("GET /v1/me", server.name());
      assertEquals("/v1/me", server.attributes().get("http.route"));
      assertEquals("GET", server.attributes().get("http.request.method"));
      assertEquals("200", server.attributes().get("http.response.status_code"));
      Received sql = trace.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
      assertEquals(server.spanId(), sql.parentSpanId());
      assertEquals("postgresql", sql.attributes().get("db.system"));
      assertTrue(sql.attributes().get("db.query.text").contains("users"), sql.toString());
      assertEquals("me-service", server.resource().get("service.name"));

      Map<String, String> line = accessLine(access, response);
      assertEquals(parent.traceId(), line.get("trace_id"));
      assertEquals(server.spanId(), line.get("span_id"));
    }
    assertTrue(contentTypes.stream().allMatch(type -> type.startsWith("application/x-protobuf")), contentTypes.toString());
  }

  @Test
  void aPatchIsAServerSpanNamedByItsRouteUnderTheCallersSpanWithItsSqlStatementBelow() throws Exception {
    Parent parent = Parent.random();
    String token = Tokens.session(Tokens.newUserId());
    try (CapturedLogs access = CapturedLogs.of("meservice.access")) {
      Response response = api.send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token,
          "Content-Type", "application/json", "traceparent", parent.traceparent()),
          "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}");
      assertEquals(200, response.status(), response.text());

      List<Received> trace = awaitTrace(parent.traceId(), TracingTest::hasServerAndSqlChild);
      Received server = server(trace);
      assertEquals(parent.spanId(), server.parentSpanId());
      assertEquals("PATCH /v1/me", server.name());
      assertEquals("/v1/me", server.attributes().get("http.route"));
      assertEquals("200", server.attributes().get("http.response.status_code"));
      List<Received> statements = trace.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
      assertTrue(statements.stream().allMatch(s -> s.parentSpanId().equals(server.spanId())
          && "postgresql".equals(s.attributes().get("db.system"))), statements.toString());

      Map<String, String> line = accessLine(access, response);
      assertEquals(parent.traceId(), line.get("trace_id"));
      assertEquals(server.spanId(), line.get("span_id"));
    }
  }

  @Test
  void aRequestWithoutATraceparentStartsATraceOfItsOwn() throws Exception {
    try (CapturedLogs access = CapturedLogs.of("meservice.access")) {
      Response response = api.get(Tokens.session(Tokens.newUserId()));
      assertEquals(200, response.status(), response.text());

      Map<String, String> line = accessLine(access, response);
      String traceId = line.get("trace_id");
      assertNotNull(traceId, line.toString());
      Received server = server(awaitTrace(traceId, TracingTest::hasServerAndSqlChild));
      assertEquals("", server.parentSpanId());
      assertEquals(line.get("span_id"), server.spanId());
    }
  }

  @Test
  void probesScrapesAndTheChangeListenersPingsMakeNoSpans() throws Exception {
    Parent probes = Parent.random();
    Map<String, String> traced = Map.of("traceparent", probes.traceparent());
    assertEquals(200, api.send("GET", "/health/ready", traced, null).status());
    assertEquals(200, api.send("GET", "/health/live", traced, null).status());
    assertEquals(200, api.management().send("GET", "/metrics", traced, null).status());
    assertEquals(200, api.management().send("GET", "/health/ready", traced, null).status());
    // The change listener pings every 200 ms: time for several while the probes' spans would be exported.
    Thread.sleep(1_000);
    Parent marker = Parent.random();
    api.send("GET", "/v1/me", Map.of("Authorization", "Bearer " + Tokens.session(Tokens.newUserId()),
        "traceparent", marker.traceparent()), null);
    // Spans are exported in the order they ended: once the marker's are in, any earlier one is too.
    awaitTrace(marker.traceId(), TracingTest::hasServerAndSqlChild);

    assertEquals(List.of(), spans.stream().filter(s -> s.traceId().equals(probes.traceId())).toList());
    // Every span belongs to a request's trace: none is a root but a server span.
    assertEquals(List.of(), spans.stream()
        .filter(s -> s.parentSpanId().isEmpty() && s.kind() != Span.SpanKind.SPAN_KIND_SERVER).toList());
  }

  @Test
  void withoutOtelVariablesVertxHasNoTracerAndTheAccessLineNoTraceIds() throws Exception {
    Map<String, String> env = TestConfig.env();
    Vertx untraced = App.vertx(env);
    try {
      assertFalse(Tracing.on(untraced));
      assertEquals(null, ((VertxInternal) untraced).tracer());
      App plain = App.start(untraced, TestConfig.config(env)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      try (CapturedLogs access = CapturedLogs.of("meservice.access")) {
        Parent parent = Parent.random();
        Response response = new Api(plain.port()).send("GET", "/v1/me", Map.of("Authorization",
            "Bearer " + Tokens.session(Tokens.newUserId()), "traceparent", parent.traceparent()), null);
        assertEquals(200, response.status(), response.text());
        Set<String> keys = accessLine(access, response).keySet();
        assertFalse(keys.contains("trace_id"), keys.toString());
        assertFalse(keys.contains("span_id"), keys.toString());
      } finally {
        plain.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      untraced.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void closingTheServiceExportsTheSpansItStillHeld() throws Exception {
    Map<String, String> env = tracedEnv();
    // Nothing is exported on the batch timer during this test: only the close can send it.
    env.put("OTEL_BSP_SCHEDULE_DELAY", "600000");
    Vertx closing = App.vertx(env);
    App held = App.start(closing, TestConfig.config(env)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Parent parent = Parent.random();
    Response response = new Api(held.port()).send("GET", "/v1/me", Map.of("Authorization",
        "Bearer " + Tokens.session(Tokens.newUserId()), "traceparent", parent.traceparent()), null);
    assertEquals(200, response.status(), response.text());
    assertEquals(List.of(), spans.stream().filter(s -> s.traceId().equals(parent.traceId())).toList());

    held.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    closing.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    // Sent before the close completed: no waiting needed.
    List<Received> trace = spans.stream().filter(s -> s.traceId().equals(parent.traceId())).toList();
    assertTrue(hasServerAndSqlChild(trace), trace.toString());
  }
}
