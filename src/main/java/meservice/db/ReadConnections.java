package meservice.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import meservice.config.AppConfig;

/**
 * The instance's {@code DB_READ_CONNECTIONS} pipelined read connections, spread over its event
 * loops the way TechEmpower's vertx-web benchmark does it: each API verticle, in its {@code start},
 * opens its own client on its own loop, so a query and its answer never change threads (a client
 * shared by all loops makes them hop). With more connections than loops, each loop's client gets
 * several; with more loops than connections (a big node under the default cap), the later
 * verticles share the first ones' clients round robin, and the connection budget holds.
 */
public final class ReadConnections {

  private final AppConfig config;
  private final int loops;
  private final List<SqlClient> clients = new ArrayList<>();
  private int handedOut;

  public ReadConnections(AppConfig config, int loops) {
    this.config = config;
    this.loops = loops;
  }

  /** Called from a verticle's {@code start}, on its event loop. */
  public synchronized SqlClient forThisLoop(Vertx vertx) {
    int total = config.dbReadConnections();
    int owners = Math.min(loops, total);
    SqlClient client;
    if (clients.size() < owners) {
      int mine = total / owners + (clients.size() < total % owners ? 1 : 0);
      client = Database.reads(vertx, config, clients.size(), mine);
      clients.add(client);
    } else {
      client = clients.get(handedOut % clients.size());
    }
    handedOut++;
    return client;
  }

  public synchronized Future<Void> close() {
    return Future.join(clients.stream().map(Database::close).toList()).mapEmpty();
  }
}
