package meservice.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import meservice.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests Netty could not decode never reach the router: an over-long request line (414), headers
 * over the limit (431) or broken HTTP (400). They still get the envelope and a request id, and the
 * connection is closed, as Vert.x's default handler does, since its framing can't be trusted.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(InvalidRequests.class);
  private static final int MAX_REASON_CHARS = 200;

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ErrorCode code = cause instanceof TooLongHttpLineException ? ErrorCode.URI_TOO_LONG
        : cause instanceof TooLongHttpHeaderException ? ErrorCode.HEADERS_TOO_LARGE
        : ErrorCode.BAD_REQUEST;
    String requestId = Ulid.next();
    // Netty's reason quotes the offending bytes: escaped and bounded like any value from outside.
    LOG.atInfo().addKeyValue("request_id", requestId)
        .log("{}: {}", code, cause == null ? "undecodable" : LogSafe.quote(cause.getMessage(), MAX_REASON_CHARS));
    request.response().putHeader(RequestId.HEADER, requestId).endHandler(v -> request.connection().close());
    Envelope.error(request.response(), requestId, ApiError.of(code));
  }
}
