package meservice.support;

import java.util.HashMap;
import java.util.Map;
import meservice.config.AppConfig;
import meservice.config.ConfigLoader;
import meservice.dev.LocalIssuer;

/** The service's configuration as an operator would set it, through the real config loader. */
public final class TestConfig {

  private TestConfig() {}

  /** Environment of a service on a free loopback port, verifying {@link Tokens#ISSUER}'s PEM key. */
  public static Map<String, String> env() {
    Map<String, String> env = envWithoutDatabase();
    env.put("DB_POOL_SIZE", "8");
    // A loaded CI machine can take over a second to open a connection to a freshly started
    // PostgreSQL; the suites that test the bound itself (reliability) set their own.
    env.put("DB_CONNECT_TIMEOUT_MS", "5000");
    env.put("DATABASE_URL", TestDatabase.url());
    return env;
  }

  /**
   * The same settings without {@code DATABASE_URL}, so nothing starts PostgreSQL: for the unit
   * tier's parts that never query (token verification, parsing).
   */
  public static Map<String, String> envWithoutDatabase() {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("MANAGEMENT_PORT", "0");
    env.put("CLERK_JWT_KEY", Tokens.ISSUER.publicKeyPem());
    env.put("CLERK_ISSUER", LocalIssuer.ISSUER);
    // Contract suites drive one user far past any human rate; RateLimitTest turns limiting on.
    env.put("RATE_LIMIT_PER_SECOND", "0");
    // Attack suites send hundreds of refused credentials from 127.0.0.1 and expect each 401;
    // FailedAuthenticationLimitTest and ForwardedForTest turn the per-address limit on.
    env.put("AUTH_FAILURES_PER_SECOND", "0");
    env.put("CLERK_AUTHORIZED_PARTIES", LocalIssuer.AUTHORIZED_PARTY + ",https://dashboard.example.com");
    return env;
  }

  /**
   * As {@link #env()}, but its {@code DATABASE_URL} names a host nothing connects to: for checks
   * that end before the service opens a connection (settings {@code serve} refuses).
   */
  public static Map<String, String> envNamingADatabase() {
    Map<String, String> env = envWithoutDatabase();
    env.put("DATABASE_URL", "postgresql://me@db.example.com:5432/me");
    return env;
  }

  public static AppConfig config(Map<String, String> env) {
    return ConfigLoader.load(env);
  }

  public static AppConfig config() {
    return config(env());
  }
}
