package meservice.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import meservice.config.AppConfig;
import meservice.config.ConfigLoader;
import meservice.dev.DevDatabase;
import meservice.dev.LocalIssuer;

/**
 * {@code dev}: the service on 127.0.0.1 with an embedded PostgreSQL under {@code ./data} and a
 * local token issuer in place of Clerk. Everything here runs once, on the main thread.
 */
public final class DevCommand {

  private DevCommand() {}

  public record DevSetup(AppConfig config, DevDatabase database, LocalIssuer issuer) {}

  /** The operator's environment with dev's own listen address, database and token issuer. */
  public static DevSetup prepare(Map<String, String> env, Path dataDirectory) throws Exception {
    DevDatabase database = DevDatabase.start(dataDirectory.resolve("postgres"), true);
    LocalIssuer issuer = LocalIssuer.loadOrCreate(dataDirectory.resolve("dev-signing-key"));
    Map<String, String> devEnv = new HashMap<>(env);
    devEnv.put("HOST", "127.0.0.1");
    devEnv.put("DATABASE_URL", database.url());
    devEnv.remove("CLERK_JWKS_URL");
    devEnv.put("CLERK_JWT_KEY", issuer.publicKeyPem());
    devEnv.put("CLERK_ISSUER", LocalIssuer.ISSUER);
    devEnv.put("CLERK_AUTHORIZED_PARTIES", LocalIssuer.AUTHORIZED_PARTY);
    return new DevSetup(ConfigLoader.load(devEnv), database, issuer);
  }

  public static String instructions(DevSetup setup, int port) {
    String token = setup.issuer().sessionToken("user_dev", "org_dev", "org:admin", 24 * 3600);
    String base = "http://127.0.0.1:" + port;
    return String.join("\n",
        "",
        "me-service dev is up on " + base + " (PostgreSQL data in ./data, token valid 24 h)",
        "",
        "  TOKEN='" + token + "'",
        "",
        "  curl -s " + base + "/v1/me -H \"Authorization: Bearer $TOKEN\"",
        "",
        "  curl -s -X PATCH " + base + "/v1/me -H \"Authorization: Bearer $TOKEN\" \\",
        "    -H 'Content-Type: application/json' -d '{\"preferences\": {\"timezone\": \"America/Los_Angeles\"}}'",
        "",
        "  # an API key of org_dev (printed once; use it as the Bearer credential of GET /v1/me):",
        "  DATABASE_URL='" + setup.config().databaseUrl() + "' java -jar target/me-service.jar apikey create --org org_dev",
        "");
  }
}
