package meservice.support;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import meservice.App;
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
  private Vertx vertx;
  private App app;
  private Api api;

  private RunningService(Consumer<Map<String, String>> settings) {
    this.settings = settings;
  }

  public static RunningService withDefaults() {
    return new RunningService(env -> { });
  }

  /** {@code settings} edits the environment of {@link TestConfig#env()} before start-up. */
  public static RunningService with(Consumer<Map<String, String>> settings) {
    return new RunningService(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Map<String, String> env = TestConfig.env();
    settings.accept(env);
    vertx = Vertx.vertx();
    app = App.start(vertx, TestConfig.config(env)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    api = new Api(app.port());
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
