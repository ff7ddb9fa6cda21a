package meservice.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 * verticles share the first ones' clients round robin, and the connection budget holds. With
 * {@code DATABASE_READ_URL}, each loop has as many on the standby, and the ones on the primary
 * are opened only when the standby does not answer.
 */
public final class ReadConnections {

  private final AppConfig.Database database;
  private final PrimaryOnly primary;
  private final int loops;
  private final Counter fallbacks;
  private final List<Reads> handed = new ArrayList<>();
  private final List<SqlClient> clients = new ArrayList<>();
  private int handedOut;

  public ReadConnections(AppConfig.Database database, PrimaryOnly primary, int loops, MeterRegistry registry) {
    this.database = database;
    this.primary = primary;
    this.loops = loops;
    this.fallbacks = Counter.builder("db.reads.standby.fallbacks")
        .description("Reads the standby (DATABASE_READ_URL) did not answer, asked of the primary instead")
        .register(registry);
  }

  /** Called from a verticle's {@code start}, on its event loop. */
  public synchronized Reads forThisLoop(Vertx vertx) {
    int total = database.readConnections();
    int owners = Math.min(loops, total);
    Reads reads;
    if (handed.size() < owners) {
      int index = handed.size();
      int mine = total / owners + (index < total % owners ? 1 : 0);
      SqlClient onPrimary = opened(Database.reads(vertx, database, primary, index, mine));
      SqlClient onStandby = database.readUrl() == null
          ? null
          : opened(Database.standbyReads(vertx, database, index, mine));
      reads = new Reads(onPrimary, onStandby, fallbacks);
      handed.add(reads);
    } else {
      reads = handed.get(handedOut % handed.size());
    }
    handedOut++;
    return reads;
  }

  private SqlClient opened(SqlClient client) {
    clients.add(client);
    return client;
  }

  public synchronized Future<Void> close() {
    return Future.join(clients.stream().map(Database::close).toList()).mapEmpty();
  }
}
