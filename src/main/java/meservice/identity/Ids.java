package meservice.identity;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import meservice.crypto.Digests;

/**
 * The service's own ids for Clerk users and organizations: name-based UUIDs (RFC 4122 version 5)
 * in a namespace of this service. The same Clerk id gives the same UUID on every call, on every
 * instance, forever, without a database round trip or a race between two first sightings.
 */
public final class Ids {

  private static final UUID USERS = UUID.fromString("6f1c4f0e-2a57-4d36-9c38-1b7d5f6a9e01");
  private static final UUID ORGS = UUID.fromString("9b3e2d71-5c4a-4e8f-a0d2-7c6b1e4f3a02");

  private Ids() {}

  public static UUID userId(String clerkUserId) {
    return nameBased(USERS, clerkUserId);
  }

  public static UUID orgId(String clerkOrgId) {
    return clerkOrgId == null ? null : nameBased(ORGS, clerkOrgId);
  }

  private static UUID nameBased(UUID namespace, String name) {
    byte[] hash = Digests.sha1(toBytes(namespace.getMostSignificantBits()),
        toBytes(namespace.getLeastSignificantBits()), name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (hash[i] & 0xff);
      lsb = (lsb << 8) | (hash[i + 8] & 0xff);
    }
    return new UUID(msb, lsb);
  }

  private static byte[] toBytes(long value) {
    byte[] out = new byte[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = (byte) value;
      value >>>= 8;
    }
    return out;
  }
}
