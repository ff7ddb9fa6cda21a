package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import meservice.apikey.ApiKeySecret;
import meservice.apikey.ApiKeyVerifier;
import meservice.http.ApiError;
import meservice.http.AuthFailureLimiter;
import meservice.http.RequestId;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import meservice.identity.Principal;
import meservice.identity.RequestPrincipal;

/**
 * Authenticates {@code Authorization: Bearer <credential>} and stores the {@link Principal} on the
 * context. Unlike vertx-web's {@code JWTAuthHandler} (400 on a malformed token), every bad
 * credential here is the contract's 401. Each refusal is an {@link AuthFailure}: its typed reason
 * is counted ({@code auth.failures}, by reason), its detail to the log. An address that keeps failing is
 * refused with 429 before its credential is checked ({@link AuthFailureLimiter}).
 */
public final class AuthHandler implements Handler<RoutingContext> {

  private final ClerkTokenVerifier clerk;
  private final ApiKeyVerifier apiKeys;
  /** Every reason registered up front: each label shows from the first scrape, at 0. */
  private final Map<AuthFailureReason, Counter> failures = new EnumMap<>(AuthFailureReason.class);
  private final AuthFailureLimiter limiter;

  /**
   * @param limiter counts refused credentials per client address and refuses addresses over the limit
   */
  public AuthHandler(ClerkTokenVerifier clerk, ApiKeyVerifier apiKeys, AuthFailureLimiter limiter,
      MeterRegistry registry) {
    this.clerk = clerk;
    this.apiKeys = apiKeys;
    this.limiter = limiter;
    for (AuthFailureReason reason : AuthFailureReason.values()) {
      failures.put(reason, Counter.builder("auth.failures")
          .description("Rejected credentials by reason")
          .tag("reason", reason.label())
          .register(registry));
    }
  }

  /** Whom a request's rate-limit bucket belongs to: the user, or the API key (not its organization). */
  public static Object rateLimitKey(RoutingContext rc) {
    Principal principal = RequestPrincipal.of(rc);
    return principal instanceof Principal.ClerkUser user ? user.userId() : ((Principal.ApiKey) principal).keyId();
  }

  @Override
  public void handle(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    int end = credentialEnd(header);
    int start = credentialStart(header, end);
    if (start < 0) {
      refuse(rc, AuthFailure.of(AuthFailureReason.MISSING, "no bearer credential"));
      return;
    }
    // A missing credential costs nothing to refuse and is not counted; a presented one that fails is.
    long wait = limiter.retryAfterNanos(rc.request());
    if (wait > 0) {
      rc.fail(ApiError.rateLimited((int) Math.ceil(wait / 1e9)));
      return;
    }
    // Told apart by the prefix alone: a key is never parsed as a token, nor a token looked up as a key.
    // A session token is read in place (no copy of it per request) unless it must be verified.
    Future<? extends Principal> result = ApiKeySecret.isApiKey(header, start)
        ? apiKeys.verify(header.substring(start, end))
        : clerk.verify(header, start, end, RequestId.of(rc));
    if (!result.isComplete()) {
      holdBodyUntilAnswered(rc.request(), rc);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        RequestPrincipal.set(rc, ar.result());
        rc.next();
      } else if (ar.cause() instanceof AuthFailure refused) {
        // No signing keys is this instance's problem, not the caller's: not counted against it.
        if (refused.reason != AuthFailureReason.NO_KEYS) {
          limiter.failed(rc.request());
        }
        refuse(rc, refused);
      } else {
        // Not a verdict on the credential (e.g. the database could not be asked about an API key).
        rc.fail(ar.cause());
      }
    });
  }

  private void refuse(RoutingContext rc, AuthFailure failure) {
    failures.get(failure.reason).increment();
    rc.fail(ApiError.unauthorized(failure.logReason()));
  }

  /**
   * While keys are fetched or an API key is looked up, body bytes could arrive before any handler
   * wants them: pause the request. A later body handler resumes it; otherwise resuming when the
   * answer starts drains it, so a keep-alive connection never stalls on a paused request.
   */
  private static void holdBodyUntilAnswered(HttpServerRequest request, RoutingContext rc) {
    if (!request.isEnded()) {
      request.pause();
      rc.addHeadersEndHandler(v -> request.resume());
    }
  }

  /**
   * Where the credential of {@code Authorization: Bearer <credential>} starts (the scheme is
   * case-insensitive, whitespace before the credential is not part of it), or -1 when there is
   * none before {@code end}.
   */
  private static int credentialStart(String header, int end) {
    if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return -1;
    }
    int start = 7;
    while (start < end && header.charAt(start) <= ' ') {
      start++;
    }
    return start < end ? start : -1;
  }

  /** Where the credential ends: before any trailing whitespace (never inside the scheme). */
  private static int credentialEnd(String header) {
    if (header == null) {
      return 0;
    }
    int end = header.length();
    while (end > 7 && header.charAt(end - 1) <= ' ') {
      end--;
    }
    return end;
  }
}
