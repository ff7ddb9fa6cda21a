package meservice.identity;

/**
 * A refused credential: its {@link AuthFailureReason} (for the metric) and a detail for the log
 * (never shown to the caller; values taken from an unverified token go through {@link meservice.logging.LogSafe}).
 * Control flow, so no stack trace.
 */
public final class AuthFailure extends RuntimeException {

  public final AuthFailureReason reason;

  private AuthFailure(AuthFailureReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public static AuthFailure of(AuthFailureReason reason, String detail) {
    return new AuthFailure(reason, detail);
  }

  /** What {@code ErrorMapper} logs: the reason's label, then the detail. */
  public String logReason() {
    return "[" + reason.label() + "] " + getMessage();
  }
}
