package meservice.support;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import meservice.App;
import meservice.me.Preferences;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The production service, started once for a test class on the shared test database, configured
 * through the real config loader:
 * {@code @RegisterExtension static final RunningService service = RunningService.with(env -> ...)}.
 */
public final class RunningService implements BeforeAllCallback, AfterAllCallback {

  private final Consumer<Map<String, String>> settings;
  private final Preferences preferences;
  private Vertx vertx;
  private App app;
  private Api api;

  private RunningService(Consumer<Map<String, String>> settings, Preferences preferences) {
    this.settings = settings;
    this.preferences = preferences;
  }

  public static RunningService withDefaults() {
    return new RunningService(env -> { }, Preferences.REGISTRY);
  }

  /** {@code settings} edits the environment of {@link TestConfig#env()} before start-up. */
  public static RunningService with(Consumer<Map<String, String>> settings) {
    return new RunningService(settings, Preferences.REGISTRY);
  }

  /** The production service with another preference registry than the production one. */
  public static RunningService withPreferences(Preferences preferences) {
    return new RunningService(env -> { }, preferences);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Map<String, String> env = TestConfig.env();
    settings.accept(env);
    vertx = Vertx.vertx();
    app = App.start(vertx, TestConfig.config(env), preferences).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    api = new Api(app.port(), app.managementPort());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
  }

  public App app() {
    return app;
  }

  public Api api() {
    return api;
  }
}
