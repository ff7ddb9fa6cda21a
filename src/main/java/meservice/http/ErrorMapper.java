package meservice.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.function.Function;
import meservice.db.DatabaseFailure;
import meservice.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every failure becomes an envelope: our own {@link ApiError}s, the framework's
 * 404/405/413/415, database outages ({@link DatabaseFailure#isOutage}: 503) and bugs (500, logged with
 * the request id, never shown).
 */
public final class ErrorMapper implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
  private static final int MAX_PATH_CHARS = 256;
  private static final int MAX_REASON_CHARS = 200;

  private final Function<String, String> allowedMethods;

  /** @param allowedMethods the {@code Allow} value for a path the router knows, for 405s */
  public ErrorMapper(Function<String, String> allowedMethods) {
    this.allowedMethods = allowedMethods;
  }

  @Override
  public void handle(RoutingContext rc) {
    Throwable failure = rc.failure();
    respond(rc, map(failure, rc.statusCode()), failure);
  }

  /**
   * For vertx-web's error handlers of the statuses it reaches without failing the context (a
   * request target that does not decode while routes are matched, a failure handler that threw):
   * {@code code}, whatever the context says.
   */
  public Handler<RoutingContext> answering(ErrorCode code) {
    return rc -> {
      if (code == ErrorCode.BAD_REQUEST) {
        LOG.atInfo().addKeyValue("request_id", RequestId.of(rc))
            .log("{}: cannot route {}", code, LogSafe.quote(rc.request().uri(), MAX_PATH_CHARS));
      }
      respond(rc, ApiError.of(code), rc.failure());
    };
  }

  private void respond(RoutingContext rc, ApiError error, Throwable failure) {
    String requestId = RequestId.of(rc);
    if (error.code == ErrorCode.INTERNAL) {
      LOG.atError().addKeyValue("request_id", requestId).setCause(failure)
          .log("unhandled failure on {} {}", rc.request().method(), LogSafe.quote(rc.request().path(), MAX_PATH_CHARS));
    } else if (error.code == ErrorCode.UNAVAILABLE) {
      LOG.atWarn().addKeyValue("request_id", requestId)
          .log("database unavailable: {}", failure == null ? "status " + rc.statusCode() : failure.toString());
    } else if (error.logReason != null) {
      LOG.atInfo().addKeyValue("request_id", requestId).log("{}: {}", error.code, error.logReason);
    } else if (failure != null && !(failure instanceof ApiError) && !(failure instanceof HttpException)) {
      // A request the framework refused before routing (no Host): one short line, no stack trace.
      LOG.atInfo().addKeyValue("request_id", requestId)
          .log("{}: {}", error.code, LogSafe.quote(failure.getMessage(), MAX_REASON_CHARS));
    }
    if (error.code == ErrorCode.METHOD_NOT_ALLOWED) {
      rc.response().putHeader(HttpHeaders.ALLOW, allowedMethods.apply(rc.request().path()));
    }
    Envelope.error(rc, error);
  }

  static ApiError map(Throwable failure, int status) {
    if (failure instanceof ApiError error) {
      return error;
    }
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
    } else if (failure != null && status >= 400 && status < 500) {
      // vertx-web refuses a request it cannot route (no Host on HTTP/1.1, an empty path) with a
      // client status and an exception of its own, before any of our handlers ran.
      return status == 400 ? ApiError.of(ErrorCode.BAD_REQUEST) : map(null, status);
    } else if (failure != null) {
      return DatabaseFailure.isOutage(failure) ? ApiError.of(ErrorCode.UNAVAILABLE) : ApiError.of(ErrorCode.INTERNAL);
    }
    return switch (status) {
      case 400 -> ApiError.of(ErrorCode.VALIDATION_ERROR);
      case 401 -> ApiError.of(ErrorCode.UNAUTHORIZED);
      case 403 -> ApiError.of(ErrorCode.FORBIDDEN);
      case 404 -> ApiError.of(ErrorCode.NOT_FOUND);
      case 405 -> ApiError.of(ErrorCode.METHOD_NOT_ALLOWED);
      case 412 -> ApiError.of(ErrorCode.PRECONDITION_FAILED);
      case 413 -> ApiError.of(ErrorCode.PAYLOAD_TOO_LARGE);
      case 415 -> ApiError.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      case 429 -> ApiError.of(ErrorCode.RATE_LIMITED);
      case 503 -> ApiError.of(ErrorCode.UNAVAILABLE);
      default -> ApiError.of(ErrorCode.INTERNAL);
    };
  }
}
