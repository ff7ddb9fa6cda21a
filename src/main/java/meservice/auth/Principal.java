package meservice.auth;

import java.util.List;
import java.util.UUID;

/** Who is calling: a signed-in Clerk user, or an organization's API key. */
public sealed interface Principal permits Principal.ClerkUser, Principal.ApiKey {

  /** The service's UUID of the active organization, or {@code null}. */
  UUID orgId();

  /** Sorted, without duplicates. */
  List<String> scopes();

  /** For logs and metrics: never the credential itself. */
  String kind();

  record ClerkUser(String clerkUserId, UUID userId, UUID orgId, List<String> scopes) implements Principal {
    @Override
    public String kind() {
      return "user";
    }
  }

  record ApiKey(UUID keyId, UUID orgId, List<String> scopes) implements Principal {
    @Override
    public String kind() {
      return "api_key";
    }
  }
}
