import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bench helper for {@code TRACING=1 bench/run.sh}: an OTLP/HTTP endpoint that accepts every
 * {@code POST /v1/traces}, reads the body and discards it (no decoding: the benchmark measures the
 * service's cost of tracing, not a collector's). {@code java bench/tools/OtlpSink.java PORT};
 * prints what it was sent when stopped (SIGTERM).
 */
public final class OtlpSink {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    AtomicLong exports = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext("/v1/traces", exchange -> {
      long read = 0;
      byte[] buffer = new byte[64 * 1024];
      try (InputStream body = exchange.getRequestBody()) {
        for (int n; (n = body.read(buffer)) > 0; ) {
          read += n;
        }
      }
      exports.incrementAndGet();
      bytes.addAndGet(read);
      // An empty ExportTraceServiceResponse: zero bytes of protobuf.
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.setExecutor(Executors.newSingleThreadExecutor());
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        System.out.println("otlp sink: " + exports.get() + " exports, " + bytes.get() + " bytes")));
    server.start();
    System.out.println("otlp sink listening on 127.0.0.1:" + port);
  }
}
