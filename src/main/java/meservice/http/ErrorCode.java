package meservice.http;

/** Every error the API can answer, with its HTTP status and default message. */
public enum ErrorCode {
  UNAUTHORIZED(401, "authentication failed"),
  FORBIDDEN(403, "forbidden"),
  INVALID_TIMEZONE(400, "invalid timezone"),
  VALIDATION_ERROR(400, "request body is invalid"),
  NOT_FOUND(404, "no such route"),
  METHOD_NOT_ALLOWED(405, "method not allowed"),
  PRECONDITION_FAILED(412, "the resource has changed"),
  PAYLOAD_TOO_LARGE(413, "request body too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "content type must be application/json or application/merge-patch+json"),
  RATE_LIMITED(429, "too many requests"),
  BAD_REQUEST(400, "malformed HTTP request"),
  URI_TOO_LONG(414, "request URI too long"),
  HEADERS_TOO_LARGE(431, "request headers too large"),
  INTERNAL(500, "internal error"),
  UNAVAILABLE(503, "service unavailable");

  public final int status;
  public final String defaultMessage;

  ErrorCode(int status, String defaultMessage) {
    this.status = status;
    this.defaultMessage = defaultMessage;
  }
}
