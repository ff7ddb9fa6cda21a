package meservice.ops;

import java.util.Locale;

/**
 * The fixed label set of {@code auth_failures_total}. A 401's log reason is free text (it may name
 * a claim value); the metric only ever carries one of these words.
 */
public enum AuthFailureReason {
  MISSING,
  MALFORMED,
  EXPIRED,
  NOT_YET_VALID,
  ALGORITHM,
  SIGNATURE,
  ISSUER,
  AUTHORIZED_PARTY,
  CLAIMS,
  NO_KEYS,
  API_KEY,
  OTHER;

  /** Classifies a log reason of {@code ApiError.unauthorized}; unknown wording counts as OTHER. */
  public static AuthFailureReason classify(String logReason) {
    if (logReason == null) {
      return OTHER;
    }
    String reason = logReason.toLowerCase(Locale.ROOT);
    if (reason.startsWith("no bearer")) {
      return MISSING;
    }
    if (reason.contains("base64url")) {
      return MALFORMED;
    }
    if (reason.contains("expired")) {
      return EXPIRED;
    }
    if (reason.contains("not yet valid") || reason.contains("in the future")) {
      return NOT_YET_VALID;
    }
    if (reason.startsWith("signature")) {
      return SIGNATURE;
    }
    if (reason.startsWith("no signing keys")) {
      return NO_KEYS;
    }
    if (reason.startsWith("alg ") || reason.startsWith("header ") || reason.startsWith("kid ")) {
      return ALGORITHM;
    }
    if (reason.startsWith("issuer")) {
      return ISSUER;
    }
    if (reason.startsWith("authorized party")) {
      return AUTHORIZED_PARTY;
    }
    if (reason.startsWith("token ")) {
      return reason.startsWith("token category") ? CLAIMS : MALFORMED;
    }
    if (reason.contains("api key")) {
      return API_KEY;
    }
    if (reason.contains(" is missing") || reason.contains("session status") || reason.contains("numericdate")) {
      return CLAIMS;
    }
    return OTHER;
  }
}
