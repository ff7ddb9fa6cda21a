package meservice.auth;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.dev.LocalIssuer;
import meservice.support.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One JWKS fetch against a real local HTTP server that misbehaves: it is bounded in time and size.
 * No database. Against a server that never finishes, the deadline is shortened to 500 ms (production:
 * 5 s) to keep the suite fast; the other cases run with the production deadline.
 */
@ExtendWith(VertxExtension.class)
class JwksFetchTest {

  private static final long DEADLINE_MILLIS = 500;
  private static final int MAX_BODY = 64 * 1024;
  private final LocalIssuer key = LocalIssuer.generate("kid-1");
  private HttpServer server;
  private JwksKeySource source;

  @AfterEach
  void stop() {
    if (source != null) {
      source.stop();
    }
    if (server != null) {
      await(server.close());
    }
  }

  @Test
  void serverThatAcceptsAndNeverAnswersIsCutAtTheDeadline(Vertx vertx) {
    start(vertx, request -> { /* reads the request, never answers */ });

    long started = System.nanoTime();
    await(source.start());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertNull(source.current());
    assertEquals(1, source.fetchesFailed());
    assertTrue(tookMillis >= DEADLINE_MILLIS, "gave up after " + tookMillis + " ms, before the deadline");
    assertTrue(tookMillis < 10 * DEADLINE_MILLIS, "took " + tookMillis + " ms");
  }

  @Test
  void serverThatTricklesItsBodyForeverIsCutAtTheDeadline(Vertx vertx) {
    // Headers at once, then a byte every 100 ms: no idle timeout ever fires, only a total deadline.
    start(vertx, request -> {
      request.response().setChunked(true).putHeader("Content-Type", "application/json").write("{\"keys\": [");
      long timer = vertx.setPeriodic(100, id -> request.response().write(" "));
      request.connection().closeHandler(v -> vertx.cancelTimer(timer));
    });

    long started = System.nanoTime();
    await(source.start());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertNull(source.current());
    assertEquals(1, source.fetchesFailed());
    assertTrue(tookMillis < 10 * DEADLINE_MILLIS, "took " + tookMillis + " ms");
  }

  @Test
  void bodyOverTheCapIsAFailedFetch(Vertx vertx) {
    // A valid JWKS padded past 64 KiB, sent chunked (no Content-Length to trust).
    JsonObject jwks = new JsonObject().put("keys", new JsonArray().add(key.jwk())).put("padding", "x".repeat(MAX_BODY));
    start(vertx, request -> request.response().setChunked(true).putHeader("Content-Type", "application/json")
        .end(jwks.encode()), JwksKeySource.FETCH_DEADLINE_MILLIS);

    try (CapturedLogs logs = CapturedLogs.of(JwksKeySource.class)) {
      await(source.start());

      assertNull(source.current());
      assertEquals(1, source.fetchesFailed());
      assertTrue(logs.messages().stream().anyMatch(m -> m.contains("failed: \"JWKS body over 65536 bytes\"")), logs.messages().toString());
    }
  }

  @Test
  void bodyUnderTheCapLoads(Vertx vertx) {
    JsonObject jwks = new JsonObject().put("keys", new JsonArray().add(key.jwk())).put("padding", "x".repeat(MAX_BODY - 2048));
    start(vertx, request -> request.response().putHeader("Content-Type", "application/json").end(jwks.encode()),
        JwksKeySource.FETCH_DEADLINE_MILLIS);

    await(source.start());

    assertNotNull(source.current());
    assertTrue(source.current().has("kid-1"));
    assertEquals(1, source.fetchesSucceeded());
  }

  private void start(Vertx vertx, Handler<HttpServerRequest> handler) {
    start(vertx, handler, DEADLINE_MILLIS);
  }

  private void start(Vertx vertx, Handler<HttpServerRequest> handler, long deadlineMillis) {
    server = await(vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1"));
    source = new JwksKeySource(vertx, vertx.createHttpClient(new HttpClientOptions()),
        new AppConfig.Jwks("http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json", Duration.ZERO,
            Duration.ofHours(1), Duration.ofHours(1)), List.of("RS256"), deadlineMillis, MAX_BODY);
  }

}
