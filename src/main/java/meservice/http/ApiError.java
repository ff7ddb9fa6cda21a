package meservice.http;

import java.util.Map;

/**
 * A failure the caller is meant to see. Carries no stack trace: it is control flow, and its
 * {@link #logReason} (never sent to the caller) says what the log needs.
 */
public final class ApiError extends RuntimeException {

  public final ErrorCode code;
  public final Map<String, String> details;
  public final String logReason;
  /** {@code Retry-After} of a 429 or 503. */
  public final int retryAfterSeconds;

  private ApiError(ErrorCode code, String message, Map<String, String> details, String logReason) {
    this(code, message, details, logReason, 1);
  }

  private ApiError(ErrorCode code, String message, Map<String, String> details, String logReason,
      int retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
    this.logReason = logReason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError of(ErrorCode code) {
    return new ApiError(code, code.defaultMessage(), Map.of(), null);
  }

  public static ApiError of(ErrorCode code, String message) {
    return new ApiError(code, message, Map.of(), null);
  }

  public static ApiError withDetails(ErrorCode code, Map<String, String> details) {
    return new ApiError(code, code.defaultMessage(), details, null);
  }

  public static ApiError rateLimited(int retryAfterSeconds) {
    return new ApiError(ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED.defaultMessage(), Map.of(), null,
        Math.max(1, retryAfterSeconds));
  }

  /** 401 with the real reason kept for the log only. */
  public static ApiError unauthorized(String logReason) {
    return new ApiError(ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED.defaultMessage(), Map.of(), logReason);
  }
}
