package meservice.identity;

import java.util.List;
import java.util.UUID;
import meservice.crypto.Digests;

/** Who is calling: a signed-in Clerk user, or an organization's API key. */
public sealed interface Principal permits Principal.ClerkUser, Principal.ApiKey {

  /** The service's UUID of the active organization, or {@code null}. */
  UUID orgId();

  /** Sorted, without duplicates. */
  List<String> scopes();

  /** For logs and metrics: never the credential itself. */
  String kind();

  /**
   * 64 bits of SHA-256 over the user, organization and scopes: what a response depends on besides
   * the stored row. Computed once, when the credential is verified; cached principals carry it, so
   * a request computes no digest for its ETag.
   */
  long fingerprint();

  private static long fingerprintOf(UUID userId, UUID orgId, List<String> scopes) {
    return Digests.sha256Prefix((userId == null ? "" : userId.toString()) + "|" + orgId + "|" + String.join(",", scopes));
  }

  record ClerkUser(String clerkUserId, UUID userId, UUID orgId, List<String> scopes, long fingerprint)
      implements Principal {

    public ClerkUser(String clerkUserId, UUID userId, UUID orgId, List<String> scopes) {
      this(clerkUserId, userId, orgId, scopes, fingerprintOf(userId, orgId, scopes));
    }

    @Override
    public String kind() {
      return "user";
    }
  }

  record ApiKey(UUID keyId, UUID orgId, List<String> scopes, long fingerprint) implements Principal {

    public ApiKey(UUID keyId, UUID orgId, List<String> scopes) {
      this(keyId, orgId, scopes, fingerprintOf(null, orgId, scopes));
    }

    @Override
    public String kind() {
      return "api_key";
    }
  }
}
