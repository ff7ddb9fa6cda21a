package meservice;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** One per event loop: its own router over the shared services, all listening on one port. */
public final class ApiVerticle extends VerticleBase {

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
        .setIdleTimeout(60)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(4096);
    return vertx.createHttpServer(options)
        .requestHandler(ApiRouter.create(vertx, services))
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
