package meservice.ops;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import meservice.resources.PackagedResources;

/**
 * {@code GET /openapi.json}: the contract as an OpenAPI 3.1 document, built once at start-up and
 * served as-is. The resource {@code openapi.json} is hand-written except for what the features
 * generate from their own definitions, which each fills in at start-up.
 */
public final class OpenApi implements Handler<RoutingContext> {

  private static final String RESOURCE = "/openapi.json";

  private final Buffer document;

  private OpenApi(JsonObject json) {
    this.document = Buffer.buffer(json.encodePrettily());
  }

  /** Reads the classpath resource and lets each feature complete it; call at start-up, off the event loop. */
  @SafeVarargs
  public static OpenApi load(Consumer<JsonObject>... features) {
    JsonObject document = new JsonObject(PackagedResources.text(RESOURCE));
    for (Consumer<JsonObject> feature : features) {
      feature.accept(document);
    }
    return new OpenApi(document);
  }

  /** The document exactly as served. */
  public String text() {
    return document.toString();
  }

  @Override
  public void handle(RoutingContext rc) {
    // getByteBuf() hands Netty a slice, so one Buffer serves every response.
    rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
        .end(document);
  }
}
