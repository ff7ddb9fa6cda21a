import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import meservice.dev.LocalIssuer;
import meservice.identity.Ids;

/**
 * The benchmarks' one token minter, run against the service jars (never part of them):
 * {@code java -cp me-service.jar:me-service-dev.jar bench/tools/MintTokens.java USERS TOKENS OUT_DIR [TTL_SECONDS [SIGNING_KEY]]}.
 * Writes the issuer's public key (issuer.pem), a CSV of USERS seed users (n, id, clerk_user_id)
 * for COPY (users.csv), and one RS256 session token per line for TOKENS of them, spread evenly
 * over the id space (tokens.txt). Tokens are valid for TTL_SECONDS (6 hours unless given) and
 * signed with a fresh key, or with SIGNING_KEY when given: the private key a running {@code dev}
 * keeps in its data/dev-signing-key, so that {@code dev} accepts them.
 */
public final class MintTokens {

  public static void main(String[] args) throws Exception {
    int users = Integer.parseInt(args[0]);
    int tokens = Math.min(users, Integer.parseInt(args[1]));
    Path out = Path.of(args[2]);
    long ttl = args.length > 3 ? Long.parseLong(args[3]) : 6 * 3600;
    LocalIssuer issuer = args.length > 4 ? kept(Path.of(args[4])) : LocalIssuer.generate("bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("issuer.pem"), issuer.publicKeyPem());
    try (BufferedWriter csv = Files.newBufferedWriter(out.resolve("users.csv"), StandardCharsets.US_ASCII)) {
      for (int n = 1; n <= users; n++) {
        String sub = sub(n);
        csv.write(n + "," + Ids.userId(sub) + "," + sub + "\n");
      }
    }
    long step = users / tokens;
    try (BufferedWriter lines = Files.newBufferedWriter(out.resolve("tokens.txt"), StandardCharsets.US_ASCII)) {
      for (int i = 0; i < tokens; i++) {
        lines.write(issuer.sessionToken(sub(1 + (int) (i * step)), null, null, ttl) + "\n");
      }
    }
  }

  private static LocalIssuer kept(Path key) throws Exception {
    // loadOrCreate would make a new key for a wrong path, and every token would then be refused.
    if (!Files.isRegularFile(key)) {
      throw new IllegalArgumentException("no signing key at " + key);
    }
    return LocalIssuer.loadOrCreate(key);
  }

  private static String sub(int n) {
    return String.format("user_bench%022d", n);
  }
}
