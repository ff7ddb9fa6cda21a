package meservice.db;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The Vert.x a PostgreSQL client is built on, so that its sockets get {@code options}.
 *
 * <p>vertx-pg-client 5.0.7 drops the {@link NetClientOptions} given to {@code PgBuilder.with}:
 * {@code PgDriver.createConnectionFactory} ignores them and every connection is opened with the
 * defaults (eclipse-vertx/vertx-sql-client#1608, fixed in 5.0.9, which Maven Central does not
 * have yet). The driver's connection factory asks this Vert.x for its one {@link NetClient}, and
 * gets one with {@code options}; everything else is the real instance's. Delete this class, and
 * pass the options to {@code PgBuilder.with} alone, once on 5.0.9 or later.
 */
final class TransportOptions extends VertxWrapper {

  private final NetClientOptions options;

  private TransportOptions(VertxInternal vertx, NetClientOptions options) {
    super(vertx);
    this.options = options;
  }

  static Vertx applied(Vertx vertx, NetClientOptions options) {
    return new TransportOptions((VertxInternal) vertx, options);
  }

  @Override
  public NetClient createNetClient(NetClientOptions requested) {
    // The driver asks for its defaults with its own reconnect setting (none: it retries itself).
    return delegate.createNetClient(new NetClientOptions(options).setReconnectAttempts(requested.getReconnectAttempts()));
  }
}
