package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.config.AppConfig;
import meservice.config.ConfigLoader;
import meservice.dev.LocalIssuer;
import meservice.identity.Principal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authenticating one request costs: a token seen before (the dashboard reuses each session
 * token for up to a minute) against one never seen (an RS256 verify and the claim rules). Tokens
 * are Clerk-sized (~800 characters) so the SHA-256 cache key costs what it does in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class AuthBenchmark {

  private Vertx vertx;
  private String token;
  private String header;
  private ClerkTokenVerifier warm;
  private ClerkTokenVerifier cold;

  @Setup
  public void setUp() {
    vertx = Vertx.vertx();
    LocalIssuer issuer = LocalIssuer.generate("bench");
    Map<String, String> env = new HashMap<>();
    env.put("CLERK_JWT_KEY", issuer.publicKeyPem());
    env.put("CLERK_ISSUER", LocalIssuer.ISSUER);
    env.put("CLERK_AUTHORIZED_PARTIES", LocalIssuer.AUTHORIZED_PARTY);
    AppConfig config = ConfigLoader.load(env);
    token = issuer.sign(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", "bench"), clerkSizedClaims());

    warm = new ClerkTokenVerifier(new PemKeySource(vertx, issuer.publicKeyPem(), List.of("RS256")), config.clerk(),
        config.scopes());
    // current() == null, as before a JWKS's first load: nothing is ever remembered, every call verifies.
    SigningKeys keys = SigningKeys.fromPem(vertx, issuer.publicKeyPem(), List.of("RS256"));
    cold = new ClerkTokenVerifier(new KeySource() {
      @Override
      public Future<SigningKeys> keysFor(String kid) {
        return Future.succeededFuture(keys);
      }

      @Override
      public SigningKeys current() {
        return null;
      }

      @Override
      public boolean requiresKid() {
        return false;
      }
    }, config.clerk(), config.scopes());
    if (!"user_2bench".equals(verified(warm.verify(token, "bench")).clerkUserId())
        || !"user_2bench".equals(verified(cold.verify(token, "bench")).clerkUserId())) {
      throw new IllegalStateException("the benchmark token does not verify");
    }
    header = "Bearer " + token;
    if (token.length() < 700) {
      throw new IllegalStateException("token is " + token.length() + " characters, not Clerk-sized");
    }
  }

  @TearDown
  public void tearDown() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** The hot path: SHA-256 of the token, one map lookup, exp/nbf re-checked. */
  @Benchmark
  public Principal.ClerkUser warmToken() {
    return verified(warm.verify(token, "bench"));
  }

  /** A token never seen: decode, claim rules, RS256 signature, principal. */
  @Benchmark
  public Principal.ClerkUser coldToken() {
    return verified(cold.verify(token, "bench"));
  }

  /** The warm path as AuthHandler takes it: the token where it stands in its header. */
  @Benchmark
  public Principal.ClerkUser warmHeader() {
    return verified(warm.verify(header, 7, header.length(), "bench"));
  }

  /** The cache key alone, to see its share of the warm path. */
  @Benchmark
  public Object sha256Key() {
    return VerifiedTokens.key(token);
  }

  private static Principal.ClerkUser verified(Future<Principal.ClerkUser> result) {
    if (!result.succeeded()) {
      throw new IllegalStateException("verification did not complete synchronously: " + result.cause());
    }
    return result.result();
  }

  private static JsonObject clerkSizedClaims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject()
        .put("azp", LocalIssuer.AUTHORIZED_PARTY)
        .put("exp", now + 3600)
        .put("fva", new JsonArray().add(12).add(-1))
        .put("iat", now)
        .put("iss", LocalIssuer.ISSUER)
        .put("nbf", now - 10)
        .put("sid", "sess_2bench0000000000000000000")
        .put("sub", "user_2bench")
        .put("v", 2)
        .put("o", new JsonObject()
            .put("id", "org_2bench000000000000000000")
            .put("rol", "admin")
            .put("slg", "bench-org")
            .put("per", "org:read,org:write,org:members:manage,org:billing:read")
            .put("fpm", "1,3"))
        .put("pla", "u:free_user")
        .put("fea", "u:dashboard,u:reports,u:exports");
  }
}
