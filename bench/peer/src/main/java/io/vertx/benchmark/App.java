package io.vertx.benchmark;

import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import io.vertx.benchmark.model.Message;
import io.vertx.benchmark.model.World;
import io.vertx.core.*;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.*;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static io.vertx.benchmark.Helper.randomWorld;

// TFB frameworks/Java/vertx-web App.java cut down to /db and /plaintext (see bench/peer/README.md).
public class App extends AbstractVerticle {

  static {
    DatabindCodec.mapper().registerModule(new BlackbirdModule());
  }

  private void createPgClientBenchmarkAsync(Vertx vertx, JsonObject config, Handler<AsyncResult<PgClientBenchmark>> onComplete) {
    PgConnectOptions options = new PgConnectOptions()
        .setCachePreparedStatements(true)
        .setHost(config.getString("host"))
        .setPort(config.getInteger("port", 5432))
        .setUser(config.getString("username"))
        .setPassword(config.getString("password", ""))
        .setDatabase(config.getString("database"))
        .setPipeliningLimit(100_000); // Large pipelining means less flushing and we use a single connection anyway;

    PgConnection.connect(vertx, options).onComplete(ar ->
      onComplete.handle(ar.map(PgClientBenchmark::new))
    );
  }

  /**
   * PgClient implementation
   */
  private final class PgClientBenchmark {

    private static final String SELECT_WORLD = "SELECT id, randomnumber FROM world WHERE id = $1";

    private final PgConnection client;

    private PgClientBenchmark(PgConnection client) {
      this.client = client;
    }

    public void dbHandler(final RoutingContext ctx) {
      client
        .preparedQuery(SELECT_WORLD)
        .execute(Tuple.of(randomWorld())).andThen(res -> {
        if (res.succeeded()) {
          final RowIterator<Row> resultSet = res.result().iterator();
          if (!resultSet.hasNext()) {
            ctx.response()
              .setStatusCode(404)
              .end();
            return;
          }
          final Row row = resultSet.next();
          ctx.response()
            .putHeader(HttpHeaders.SERVER, SERVER)
            .putHeader(HttpHeaders.DATE, date)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(Json.encodeToBuffer(new World(row.getInteger(0), row.getInteger(1))));
        } else {
          res.cause().printStackTrace();
          ctx.fail(res.cause());
        }
      });
    }
  }

  private static final String SERVER = "vertx-web";
  private String date;

  @Override
  public void start(Promise<Void> startPromise) {
    final Router app = Router.router(vertx);
    // initialize the date header
    date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
    // refresh the value as a periodic task
    vertx.setPeriodic(1000, handler -> date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()));

    createPgClientBenchmarkAsync(vertx, config(), ar -> {
      if (ar.failed()) {
        startPromise.fail(ar.cause());
        return;
      }
      PgClientBenchmark pgClientBenchmark = ar.result();

      /*
       * This test exercises the framework's object-relational mapper (ORM), random number generator, database driver,
       * and database connection pool.
       */
      app.get("/db").handler(pgClientBenchmark::dbHandler);

      /*
       * This test exercises the framework fundamentals including keep-alive support, request routing, request header
       * parsing, object instantiation, JSON serialization, response header generation, and request count throughput.
       */
      app.get("/json").handler(ctx -> {
        ctx.response()
            .putHeader(HttpHeaders.SERVER, SERVER)
            .putHeader(HttpHeaders.DATE, date)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(Json.encodeToBuffer(new Message("Hello, World!")));
      });

      /*
       * This test is an exercise of the request-routing fundamentals only.
       */
      app.get("/plaintext").handler(ctx -> {
        ctx.response()
            .putHeader(HttpHeaders.SERVER, SERVER)
            .putHeader(HttpHeaders.DATE, date)
            .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
            .end("Hello, World!");
      });

      vertx.createHttpServer().requestHandler(app).listen(config().getInteger("http.port", 8080)).andThen(listen -> {
        if (listen.failed()) {
          listen.cause().printStackTrace();
          System.exit(1);
        }
        startPromise.complete();
      });
    });
  }
}
