package meservice.support;

import static meservice.support.Futures.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import meservice.App;

/**
 * The service started on the Vert.x instance {@code serve} builds ({@link App#vertx()}), on the test
 * PostgreSQL, with its signing keys fetched from a local JWKS endpoint (so the JWKS meters exist).
 */
public final class ServedWithJwks implements AutoCloseable {

  private final Vertx vertx;
  private final App app;
  private final Api api;

  private ServedWithJwks(Vertx vertx, App app) {
    this.vertx = vertx;
    this.app = app;
    this.api = new Api(app.port(), app.managementPort());
  }

  public static ServedWithJwks start() {
    Vertx vertx = App.vertx();
    String keys = new JsonObject().put("keys", new JsonArray().add(Tokens.ISSUER.jwk())).encode();
    int jwksPort = await(vertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(keys))
        .listen(0, "127.0.0.1")).actualPort();
    Map<String, String> env = TestConfig.env();
    env.remove("CLERK_JWT_KEY");
    env.put("CLERK_JWKS_URL", "http://127.0.0.1:" + jwksPort + "/.well-known/jwks.json");
    return new ServedWithJwks(vertx, await(App.start(vertx, TestConfig.config(env))));
  }

  public Api api() {
    return api;
  }

  /** Stops the service, then the Vert.x instance (and the JWKS server on it). */
  @Override
  public void close() {
    await(app.stop().eventually(vertx::close));
  }
}
