package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The free-text 401 reasons of the verifier fold into the metric's small fixed label set. */
@Tag("unit")
class AuthFailureReasonTest {

  @Test
  void verifierReasonsMapToTheirLabel() {
    assertEquals(AuthFailureReason.MISSING, AuthFailureReason.classify("no bearer credential"));
    assertEquals(AuthFailureReason.MALFORMED, AuthFailureReason.classify("token has 2 segments, not 3"));
    assertEquals(AuthFailureReason.MALFORMED, AuthFailureReason.classify("header is not base64url JSON object"));
    assertEquals(AuthFailureReason.EXPIRED, AuthFailureReason.classify("token expired"));
    assertEquals(AuthFailureReason.NOT_YET_VALID, AuthFailureReason.classify("token not yet valid (nbf)"));
    assertEquals(AuthFailureReason.NOT_YET_VALID, AuthFailureReason.classify("token issued in the future (iat)"));
    assertEquals(AuthFailureReason.ALGORITHM, AuthFailureReason.classify("alg none not allowed"));
    assertEquals(AuthFailureReason.ALGORITHM, AuthFailureReason.classify("header jku not allowed"));
    assertEquals(AuthFailureReason.SIGNATURE, AuthFailureReason.classify("signature: invalid"));
    assertEquals(AuthFailureReason.ISSUER, AuthFailureReason.classify("issuer https://x not accepted"));
    assertEquals(AuthFailureReason.AUTHORIZED_PARTY, AuthFailureReason.classify("authorized party null not accepted"));
    assertEquals(AuthFailureReason.CLAIMS, AuthFailureReason.classify("sid is missing"));
    assertEquals(AuthFailureReason.CLAIMS, AuthFailureReason.classify("token category cl_X is not a session token"));
    assertEquals(AuthFailureReason.NO_KEYS, AuthFailureReason.classify("no signing keys loaded"));
  }

  @Test
  void unknownWordingAndNoReasonAreOther() {
    assertEquals(AuthFailureReason.OTHER, AuthFailureReason.classify("something new"));
    assertEquals(AuthFailureReason.OTHER, AuthFailureReason.classify(null));
  }
}
