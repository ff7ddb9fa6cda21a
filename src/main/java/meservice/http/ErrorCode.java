package meservice.http;

/**
 * An error the API can answer: its name in the envelope, its HTTP status and default message. The
 * codes every route can meet are here; a feature declares its own beside the rule that raises it.
 */
public record ErrorCode(String name, int status, String defaultMessage) {

  public static final ErrorCode UNAUTHORIZED = new ErrorCode("UNAUTHORIZED", 401, "authentication failed");
  public static final ErrorCode FORBIDDEN = new ErrorCode("FORBIDDEN", 403, "forbidden");
  public static final ErrorCode VALIDATION_ERROR = new ErrorCode("VALIDATION_ERROR", 400, "request body is invalid");
  public static final ErrorCode NOT_FOUND = new ErrorCode("NOT_FOUND", 404, "no such route");
  public static final ErrorCode METHOD_NOT_ALLOWED = new ErrorCode("METHOD_NOT_ALLOWED", 405, "method not allowed");
  public static final ErrorCode PRECONDITION_FAILED = new ErrorCode("PRECONDITION_FAILED", 412, "the resource has changed");
  public static final ErrorCode PAYLOAD_TOO_LARGE = new ErrorCode("PAYLOAD_TOO_LARGE", 413, "request body too large");
  public static final ErrorCode UNSUPPORTED_MEDIA_TYPE = new ErrorCode("UNSUPPORTED_MEDIA_TYPE", 415,
      "content type must be application/json or application/merge-patch+json");
  public static final ErrorCode RATE_LIMITED = new ErrorCode("RATE_LIMITED", 429, "too many requests");
  public static final ErrorCode BAD_REQUEST = new ErrorCode("BAD_REQUEST", 400, "malformed HTTP request");
  public static final ErrorCode URI_TOO_LONG = new ErrorCode("URI_TOO_LONG", 414, "request URI too long");
  public static final ErrorCode HEADERS_TOO_LARGE = new ErrorCode("HEADERS_TOO_LARGE", 431, "request headers too large");
  public static final ErrorCode INTERNAL = new ErrorCode("INTERNAL", 500, "internal error");
  public static final ErrorCode UNAVAILABLE = new ErrorCode("UNAVAILABLE", 503, "service unavailable");


  /** As the envelope names it: log lines say {@code UNAUTHORIZED: <reason>}. */
  @Override
  public String toString() {
    return name;
  }
}
