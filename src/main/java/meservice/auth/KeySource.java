package meservice.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;

/** Where Clerk's signing keys come from: a fixed PEM, or a JWKS URL fetched and cached. */
public interface KeySource extends MeterBinder {

  /** Loads the keys before traffic is taken; a failure is not fatal (the service starts not ready). */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Stops whatever {@link #start} keeps running; safe to call more than once. */
  default void stop() {}

  /** A source that fetches reports how its fetches go; a fixed key has nothing to report. */
  @Override
  default void bindTo(MeterRegistry registry) {}

  /** Keys that should verify a token with this {@code kid}; may refetch, never fails. */
  Future<SigningKeys> keysFor(String kid);

  /** The key set in use right now, without fetching; {@code null} before the first load. */
  SigningKeys current();

  /** Whether a token must name its key: yes for a JWKS (Clerk always sends a kid), not for one PEM key. */
  boolean requiresKid();

  /** {@code null} while tokens can be verified with keys that are current; otherwise why not, for readiness. */
  default String notReady() {
    return current() == null ? "signing keys not loaded" : null;
  }

}
