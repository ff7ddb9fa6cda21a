package meservice.apikey;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A key just created: the only object that ever holds its secret, to be printed once. */
public record NewApiKey(UUID id, String clerkOrgId, String name, List<String> scopes, String secret,
    OffsetDateTime createdAt) {

  /** Never the secret, should this ever reach a log line. */
  @Override
  public String toString() {
    return "NewApiKey[id=" + id + ", org=" + clerkOrgId + ", secret=<redacted>]";
  }
}
