package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-request deadline on a real server and real sockets, on a clock the test sets: the check
 * runs when the test calls it, with the time the test chose, so nothing waits for the deadline.
 */
class RequestDeadlineTest {

  private static final long DEADLINE_MILLIS = 60_000;
  private static final long DEADLINE = TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
  private static final long T0 = 1_000 * DEADLINE;
  private static final String GET = "GET /answer HTTP/1.1\r\nHost: test\r\n\r\n";

  private final AtomicLong clock = new AtomicLong(T0);
  /** Requests to /hold, left unanswered until the test ends them. */
  private final LinkedBlockingQueue<HttpServerResponse> held = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Boolean> opened = new LinkedBlockingQueue<>();
  /** Requests to /body whose headers the router has seen, before their body has come. */
  private final LinkedBlockingQueue<Boolean> started = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private Context context;
  private RequestDeadline deadline;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    context.runOnContext(v -> {
      deadline = new RequestDeadline(vertx, DEADLINE_MILLIS, clock::get);
      Router router = Router.router(vertx);
      router.route().handler(deadline);
      router.get("/answer").handler(rc -> rc.response().end("ok"));
      router.get("/hold").handler(rc -> held.add(rc.response()));
      router.post("/body").handler(rc -> {
        started.add(true);
        rc.request().body().onSuccess(body -> rc.response().end("ok"));
      });
      // As the service's servers: HTTP/1.1 only, so a connection is opened before its first byte.
      vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
          .connectionHandler(connection -> {
            deadline.opened(connection);
            opened.add(true);
          })
          .requestHandler(router)
          .listen(0, "127.0.0.1")
          .onComplete(ar -> {
            if (ar.succeeded()) {
              listening.complete(ar.result().actualPort());
            } else {
              listening.completeExceptionally(ar.cause());
            }
          });
    });
    port = listening.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionThatSendsNoRequestIsClosedPastTheDeadline() throws Exception {
    try (Socket socket = connect()) {
      checkAt(T0 + DEADLINE + 1);

      assertTrue(closed(socket));
    }
  }

  @Test
  void aConnectionWithinTheDeadlineIsKeptOpen() throws Exception {
    try (Socket socket = connect()) {
      checkAt(T0 + DEADLINE);

      assertEquals("ok", exchange(socket, GET));
    }
  }

  @Test
  void anAnsweredRequestStartsTheNextRequestsDeadline() throws Exception {
    try (Socket socket = connect()) {
      clock.set(T0 + DEADLINE - 1);
      assertEquals("ok", exchange(socket, GET));
      checkAt(T0 + DEADLINE + 1); // sees the answer ended: the wait for the next request starts now

      checkAt(T0 + 2 * DEADLINE + 1);
      assertEquals("ok", exchange(socket, GET));
    }
  }

  @Test
  void bytesOfAnUnfinishedRequestDoNotPostponeItsDeadline() throws Exception {
    try (Socket socket = connect()) {
      for (int i = 0; i < 4; i++) {
        checkAt(T0 + i * DEADLINE / 4);
        send(socket, i == 0 ? "GET /answer HTTP/1.1\r\nHost: test\r\nX-Slow: " : "a");
      }

      checkAt(T0 + DEADLINE + 1);
      assertTrue(closed(socket));
    }
  }

  @Test
  void aRequestStartingLateOnAKeptAliveConnectionHasADeadlineOfItsOwn() throws Exception {
    try (Socket socket = connect()) {
      assertEquals("ok", exchange(socket, GET));
      checkAt(T0 + 1); // sees the answer ended: the wait for the next request starts now
      clock.set(T0 + DEADLINE * 9 / 10);
      send(socket, "POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n");
      assertNotNull(started.poll(10, TimeUnit.SECONDS));

      checkAt(T0 + DEADLINE * 3 / 2); // past the deadline of the previous answer, within its own

      assertEquals("ok", exchange(socket, "hi"));
    }
  }

  @Test
  void aRequestNotAnsweredWithinTheDeadlineHasItsConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /hold HTTP/1.1\r\nHost: test\r\n\r\n");
      assertNotNull(held.poll(10, TimeUnit.SECONDS));

      checkAt(T0 + DEADLINE + 1);
      assertTrue(closed(socket));
    }
  }

  @Test
  void anAnswerBeingWrittenIsNotCutOff() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /hold HTTP/1.1\r\nHost: test\r\n\r\n");
      HttpServerResponse response = held.poll(10, TimeUnit.SECONDS);
      assertNotNull(response);
      onContext(() -> response.setChunked(true).write("o"));

      checkAt(T0 + 10 * DEADLINE);
      onContext(() -> response.end("k"));
      String answer = readUntil(socket.getInputStream(), "0\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    assertNotNull(opened.poll(10, TimeUnit.SECONDS), "the server saw the connection");
    return socket;
  }

  /** Runs the periodic check now, at {@code now}, on the server's event loop. */
  private void checkAt(long now) throws Exception {
    clock.set(now);
    onContext(() -> deadline.closeOverdue(now));
  }

  private void onContext(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(10, TimeUnit.SECONDS);
  }

  private static void send(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** The body of the answer to {@code request} ("ok"), read from the same connection. */
  private static String exchange(Socket socket, String request) throws IOException {
    send(socket, request);
    String answer = readUntil(socket.getInputStream(), "\r\n\r\nok");
    return answer.substring(answer.length() - 2);
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (!bytes.toString(StandardCharsets.US_ASCII).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + bytes.toString(StandardCharsets.US_ASCII));
      }
      bytes.write(b);
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }

  /** True when the server closed the connection (end of stream, or reset). */
  private static boolean closed(Socket socket) {
    try {
      return socket.getInputStream().read() < 0;
    } catch (IOException e) {
      return !(e instanceof SocketTimeoutException);
    }
  }
}
