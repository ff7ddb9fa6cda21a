package meservice;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import meservice.me.Preferences;
import meservice.support.Api;
import meservice.support.TestConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The production routes on real listeners, with no database: what {@link App#start} deploys, minus
 * the database check, migrations and listeners. The database named refuses connections at once, so
 * a request that would reach it is answered 503; tests of everything in front of the database
 * (authentication, validation, CORS, HTTP edges, documents) need no PostgreSQL:
 * {@code @RegisterExtension static final RoutesOnly service = RoutesOnly.with(env -> ...)}.
 */
public final class RoutesOnly implements BeforeAllCallback, AfterAllCallback {

  private final Consumer<Map<String, String>> settings;
  private Vertx vertx;
  private Wiring parts;
  private Api api;

  private RoutesOnly(Consumer<Map<String, String>> settings) {
    this.settings = settings;
  }

  public static RoutesOnly withDefaults() {
    return new RoutesOnly(env -> { });
  }

  /** {@code settings} edits the environment of {@link TestConfig#envWithoutDatabase()} before start-up. */
  public static RoutesOnly with(Consumer<Map<String, String>> settings) {
    return new RoutesOnly(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Map<String, String> env = TestConfig.envWithoutDatabase();
    env.put("DATABASE_URL", "postgresql://me@127.0.0.1:1/me");
    settings.accept(env);
    vertx = Vertx.vertx();
    parts = Wiring.of(vertx, TestConfig.config(env), Preferences.REGISTRY);
    List<ApiVerticle> verticles = new CopyOnWriteArrayList<>();
    parts.deploy(vertx, verticles).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    api = new Api(verticles.get(0).port(), verticles.get(0).managementPort());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      parts.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
  }

  public Api api() {
    return api;
  }
}
