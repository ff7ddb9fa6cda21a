package meservice.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.LongSupplier;
import meservice.config.AppConfig;

/**
 * Failed authentications per client address ({@link ClientAddress}), in token buckets: each
 * failure takes a token, and an address without one is refused with 429 before its credential
 * is looked at, so a flood of unknown API keys or forged tokens costs neither a database lookup
 * nor a signature check. Successes take nothing: callers behind one address (an office NAT) are
 * refused only while that address keeps failing faster than {@code AUTH_FAILURES_PER_SECOND}
 * after a burst of {@code AUTH_FAILURE_BURST}. Limits are per instance.
 */
public final class AuthFailureLimiter implements MeterBinder {

  private final boolean enabled;
  private final ClientAddress addresses;
  private final TokenBuckets failures;
  /** Nanoseconds, as {@link System#nanoTime()} counts them. */
  private final LongSupplier clock;

  public AuthFailureLimiter(AppConfig.AuthFailureLimits limits, ClientAddress addresses) {
    this(limits, addresses, System::nanoTime);
  }

  AuthFailureLimiter(AppConfig.AuthFailureLimits limits, ClientAddress addresses, LongSupplier clock) {
    this.clock = clock;
    this.enabled = limits.perSecond() > 0;
    this.addresses = addresses;
    this.failures = new TokenBuckets(limits.perSecond(), limits.burst(), limits.maxAddresses());
  }

  /**
   * 0 when the request's address may try to authenticate, else the nanoseconds until it may.
   * While no address has failed recently, no address is worked out: the common request pays
   * nothing for the limit.
   */
  public long retryAfterNanos(HttpServerRequest request) {
    if (!enabled || failures.isEmpty()) {
      return 0;
    }
    return failures.waitFor(addresses.key(request), clock.getAsLong());
  }

  public void failed(HttpServerRequest request) {
    if (enabled) {
      failures.take(addresses.key(request), clock.getAsLong());
    }
  }

  /** Addresses with recent failures held in memory: at most {@code AUTH_FAILURE_MAX_ADDRESSES}. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("auth.failure.limiter.addresses", this, AuthFailureLimiter::trackedAddresses)
        .description("Client addresses with recent failed authentications held in memory")
        .register(registry);
  }

  int trackedAddresses() {
    return failures.size();
  }
}
