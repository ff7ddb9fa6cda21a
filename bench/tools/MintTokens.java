import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import meservice.dev.LocalIssuer;
import meservice.identity.Ids;

/**
 * Bench helper, run against the service jar (never part of it):
 * {@code java -cp target/me-service.jar:target/me-service-dev.jar bench/tools/MintTokens.java USERS TOKENS OUT_DIR}.
 * Writes the issuer's public key, a CSV of USERS seed users (n, id, clerk_user_id) for COPY, and
 * one RS256 session token per line for TOKENS of them, spread evenly over the id space.
 */
public final class MintTokens {

  public static void main(String[] args) throws Exception {
    int users = Integer.parseInt(args[0]);
    int tokens = Math.min(users, Integer.parseInt(args[1]));
    Path out = Path.of(args[2]);
    Files.createDirectories(out);
    LocalIssuer issuer = LocalIssuer.generate("bench");
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
        lines.write(issuer.sessionToken(sub(1 + (int) (i * step)), null, null, 6 * 3600) + "\n");
      }
    }
  }

  private static String sub(int n) {
    return String.format("user_bench%022d", n);
  }
}
