import java.nio.file.Path;
import meservice.dev.LocalIssuer;

/**
 * Prints COUNT session tokens of distinct users, valid for TTL seconds, signed with the key that
 * {@code dev} keeps in DATA/dev-signing-key. Run on the jar's classpath:
 * {@code java -cp target/me-service.jar:target/me-service-dev.jar bench/SoakTokens.java DATA COUNT TTL}.
 */
public class SoakTokens {
  public static void main(String[] args) throws Exception {
    LocalIssuer issuer = LocalIssuer.loadOrCreate(Path.of(args[0], "dev-signing-key"));
    int count = Integer.parseInt(args[1]);
    long ttl = Long.parseLong(args[2]);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append(issuer.sessionToken("user_soak_" + i, null, null, ttl)).append('\n');
    }
    System.out.print(out);
  }
}
