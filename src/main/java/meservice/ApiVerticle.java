package meservice;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import meservice.db.Reads;
import meservice.http.InvalidRequests;
import meservice.http.RequestDeadline;

/**
 * One per event loop: its own router over the shared services and its own pipelined read
 * connection, all verticles listening on one port.
 */
public final class ApiVerticle extends VerticleBase {

  /** Room for an 8 KiB session token plus ordinary browser headers; past it, 431. */
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_REQUEST_LINE_BYTES = 4096;

  private final Services services;
  private HttpServer server;

  public ApiVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(services.config().host())
        .setPort(services.config().port())
        // Idle connections and clients that stall mid-request are dropped after this long.
        .setIdleTimeout(services.config().httpIdleTimeoutSeconds())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        // HTTP/1.1 only: the limits above and the request deadline are HTTP/1's; Vert.x would
        // otherwise accept h2c (an Upgrade or the prior-knowledge preface) with none of them.
        // TLS and HTTP/2 end at the load balancer.
        .setHttp2ClearTextEnabled(false);
    RequestDeadline deadline = new RequestDeadline(vertx, services.config().httpIdleTimeoutSeconds() * 1000L);
    // Opened on this verticle's event loop: queries and their answers stay on it.
    Reads reads = services.reads().forThisLoop(vertx);
    return vertx.createHttpServer(options)
        .connectionHandler(deadline::opened)
        .invalidRequestHandler(new InvalidRequests())
        .requestHandler(ApiRouter.create(vertx, services, reads, deadline))
        .listen()
        .onSuccess(s -> server = s);
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (each keep-alive connection is
   * closed after its current response) and closes whatever is still open after {@code graceSeconds}.
   */
  public Future<Void> shutdown(long graceSeconds) {
    return server.shutdown(graceSeconds, TimeUnit.SECONDS);
  }
}
