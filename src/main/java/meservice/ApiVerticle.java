package meservice;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import java.net.BindException;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.db.ReadConnections;
import meservice.db.Reads;
import meservice.http.InvalidRequests;
import meservice.http.RequestDeadline;

/**
 * One per event loop: its own routers over the shared parts and its own pipelined read
 * connection, all verticles listening on one API port and one management port.
 */
public final class ApiVerticle extends VerticleBase {

  /** Room for an 8 KiB session token plus ordinary browser headers; past it, 431. */
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_REQUEST_LINE_BYTES = 4096;

  private final ApiRouter routes;
  private final AppConfig config;
  private final ReadConnections reads;
  private HttpServer server;
  private HttpServer management;

  ApiVerticle(ApiRouter routes, AppConfig config, ReadConnections reads) {
    this.routes = routes;
    this.config = config;
    this.reads = reads;
  }

  @Override
  public Future<?> start() {
    RequestDeadline deadline = new RequestDeadline(vertx, config.http().idleTimeout().toMillis());
    // Opened on this verticle's event loop: queries and their answers stay on it.
    Reads loopReads = reads.forThisLoop(vertx);
    AppConfig.Management managed = config.http().management();
    return listen(options(config.http().host(), config.http().port()), deadline, routes.api(vertx, loopReads, deadline))
        .onSuccess(s -> server = s)
        // Probes and scrapes make no spans (docs/tracing.md): the management port is not traced at all.
        .compose(api -> listen(options(managed.host(), managed.port()).setTracingPolicy(TracingPolicy.IGNORE), deadline,
            routes.management(vertx, loopReads, deadline))
            .recover(err -> Future.failedFuture(err instanceof BindException || String.valueOf(err.getMessage())
                .contains("Address already in use")
                ? new BindException("cannot listen on " + managed.host() + ":" + managed.port()
                    + " (MANAGEMENT_HOST:MANAGEMENT_PORT): the port is already in use; set MANAGEMENT_PORT= to another port")
                : err)))
        .onSuccess(s -> management = s);
  }

  private Future<HttpServer> listen(HttpServerOptions options, RequestDeadline deadline, Router router) {
    return vertx.createHttpServer(options)
        .connectionHandler(deadline::opened)
        .invalidRequestHandler(new InvalidRequests())
        .requestHandler(router)
        .listen();
  }

  private HttpServerOptions options(String host, int port) {
    return new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        // Idle connections and clients that stall mid-request are dropped after this long.
        .setIdleTimeout((int) config.http().idleTimeout().toSeconds())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        // HTTP/1.1 only: the limits above and the request deadline are HTTP/1's; Vert.x would
        // otherwise accept h2c (an Upgrade or the prior-knowledge preface) with none of them.
        // TLS and HTTP/2 end at the load balancer.
        .setHttp2ClearTextEnabled(false);
  }

  public int port() {
    return server.actualPort();
  }

  public int managementPort() {
    return management.actualPort();
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (each keep-alive connection is
   * closed after its current response) and closes whatever is still open after {@code graceSeconds}.
   */
  public Future<Void> shutdown(long graceSeconds) {
    return Future.join(server.shutdown(graceSeconds, TimeUnit.SECONDS),
        management.shutdown(graceSeconds, TimeUnit.SECONDS)).mapEmpty();
  }
}
