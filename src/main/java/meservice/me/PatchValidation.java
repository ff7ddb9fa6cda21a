package meservice.me;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import meservice.http.ApiError;
import meservice.http.ErrorCode;

/**
 * The PATCH body's checks, as route handlers: {@link #requireJson} before the body is read, then
 * (after vertx-web's BodyHandler) {@link #handle} validates it against the preference registry's
 * JSON Schema and each preference's rule and puts the resulting {@link PreferencesPatch} on the
 * context, where the upsert handler takes it ({@link #patch}). A body that fails answers 400
 * (415 for another media type) before anything touches the database.
 */
public final class PatchValidation implements Handler<RoutingContext> {

  private static final String KEY = "me.validated_patch";

  private final PatchParser parser;

  public PatchValidation(PatchParser parser) {
    this.parser = parser;
  }

  /** The patch {@link #handle} validated for this request. */
  static PreferencesPatch patch(RoutingContext rc) {
    return rc.get(KEY);
  }

  @Override
  public void handle(RoutingContext rc) {
    PreferencesPatch patch;
    try {
      patch = parser.parse(rc.body().buffer());
    } catch (ApiError e) {
      rc.fail(e);
      return;
    }
    rc.put(KEY, patch);
    rc.next();
  }

  /**
   * Mounted before the body is read: a request that declares a body of another media type is
   * refused unread, so form and multipart decoders never see it. No body at all is a no-op.
   */
  public void requireJson(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean declaresBody = request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !length.equals("0"));
    if (declaresBody && !PatchParser.isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      rc.fail(ApiError.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE));
    } else {
      rc.next();
    }
  }
}
