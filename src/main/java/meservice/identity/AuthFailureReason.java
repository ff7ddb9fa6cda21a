package meservice.identity;

import java.util.Locale;

/**
 * Why a credential was refused: the label of {@code auth_failures_total}. Each refusal names its
 * reason where it is raised ({@link AuthFailure}); the metric never reads the free-text log reason.
 */
public enum AuthFailureReason {
  /** No {@code Authorization: Bearer} credential. */
  MISSING,
  /** Not three base64url segments of JSON objects, too long, or a duplicated member. */
  MALFORMED,
  /** A header Clerk never sends: no or non-string {@code kid}, {@code jku}/{@code jwk}/…, odd {@code typ}. */
  HEADER,
  /** {@code alg} missing or not in {@code CLERK_JWT_ALGORITHMS}. */
  ALGORITHM,
  EXPIRED,
  /** {@code nbf} or {@code iat} in the future. */
  NOT_YET_VALID,
  /** No key with the token's {@code kid}, or a signature that does not verify. */
  SIGNATURE,
  ISSUER,
  AUTHORIZED_PARTY,
  /** Missing {@code sub}/{@code sid}, non-integer times, a pending session, a foreign {@code cat}, undecodable organization claims. */
  CLAIMS,
  /** No signing keys could be loaded yet. */
  NO_KEYS,
  /** An unknown, malformed or revoked API key. */
  API_KEY;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The metric label: lower case. */
  public String label() {
    return label;
  }
}
