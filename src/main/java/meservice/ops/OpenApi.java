package meservice.ops;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import meservice.me.Preferences;
import meservice.resources.PackagedResources;

/**
 * {@code GET /openapi.json}: the contract as an OpenAPI 3.1 document, built once at start-up and
 * served as-is. The resource {@code openapi.json} is hand-written except for what the preference
 * registry owns: the {@code preferences} schemas of the Me payload and of a PATCH body, and the
 * {@code preferences} of the documented Me examples. Those are filled in from the registry here,
 * so a new preference key needs no edit of the document (nor of the types and page made from it).
 */
public final class OpenApi implements Handler<RoutingContext> {

  private static final String RESOURCE = "/openapi.json";
  private static final String ME = "/v1/me";

  private final Buffer document;

  private OpenApi(JsonObject json) {
    this.document = Buffer.buffer(json.encodePrettily());
  }

  /** Reads the classpath resource and completes it from {@code preferences}; call at start-up, off the event loop. */
  public static OpenApi load(Preferences preferences) {
    JsonObject document = new JsonObject(PackagedResources.text(RESOURCE));
    JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");
    schemas.put("Preferences", preferences.documentedSchema());
    schemas.getJsonObject("MePatch").getJsonObject("properties").put("preferences", preferences.documentedPatchSchema());
    JsonObject me = document.getJsonObject("paths").getJsonObject(ME);
    for (String method : new String[] {"get", "patch"}) {
      me.getJsonObject(method).getJsonObject("responses").getJsonObject("200").getJsonObject("content")
          .getJsonObject("application/json").getJsonObject("example").getJsonObject("data")
          .put("preferences", preferences.example());
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
