package meservice.ops;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /openapi.json}: the contract as an OpenAPI 3.1 document, read once, served as-is. */
public final class OpenApi implements Handler<RoutingContext> {

  private static final String RESOURCE = "/openapi.json";

  private final Buffer document;

  private OpenApi(Buffer document) {
    this.document = document;
  }

  /** Reads the classpath resource; call at start-up, off the event loop. */
  public static OpenApi load() {
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new OpenApi(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
