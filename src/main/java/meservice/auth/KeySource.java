package meservice.auth;

import io.vertx.core.Future;

/** Where Clerk's signing keys come from: a fixed PEM, or a JWKS URL fetched and cached. */
public interface KeySource {

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
