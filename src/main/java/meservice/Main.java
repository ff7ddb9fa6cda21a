package meservice;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.Map;
import meservice.cli.DevCommand;
import meservice.cli.UserCommand;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.config.ConfigLoader;
import meservice.db.Database;
import meservice.db.Migrations;

/** {@code java -jar me-service.jar [serve|dev|migrate|user ...]}. */
public final class Main {

  private static final String USAGE = String.join("\n",
      "usage: java -jar me-service.jar COMMAND",
      "  serve                                   production server (default)",
      "  dev                                     local server, embedded PostgreSQL in ./data, local tokens",
      "  migrate                                 apply database migrations and exit",
      "  user set-staff CLERK_USER_ID true|false set a user's staff flag");

  /** epoll on Linux (netty-transport-native-epoll is bundled); NIO elsewhere, silently. */
  private static final VertxOptions VERTX_OPTIONS = new VertxOptions().setPreferNativeTransport(true);

  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "serve" : args[0];
    Map<String, String> env = System.getenv();
    try {
      switch (command) {
        case "serve" -> serve(load(env, "json"));
        case "dev" -> dev(load(env, "text"));
        case "migrate" -> exit(runOnce(load(env, "text"), Main::migrate));
        case "user" -> exit(runOnce(load(env, "text"), (vertx, config) -> UserCommand.run(vertx, config, args)));
        case "help", "--help", "-h" -> System.out.println(USAGE);
        default -> {
          System.err.println("me-service: unknown command '" + command + "'\n" + USAGE);
          System.exit(2);
        }
      }
    } catch (ConfigException e) {
      System.err.println("me-service: configuration error: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("me-service: " + command + " failed: " + e);
      System.exit(1);
    }
  }

  private static AppConfig load(Map<String, String> env, String defaultLogFormat) {
    AppConfig config = ConfigLoader.load(env);
    Logging.use(config.logFormat() != null ? config.logFormat() : defaultLogFormat);
    return config;
  }

  private static void serve(AppConfig config) {
    Vertx vertx = Vertx.vertx(VERTX_OPTIONS);
    App app = await(App.start(vertx, config).onFailure(err -> vertx.close()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(app, vertx)));
  }

  private static void dev(AppConfig config) throws Exception {
    DevCommand.DevSetup setup = DevCommand.prepare(config, Path.of("data"));
    Vertx vertx = Vertx.vertx(VERTX_OPTIONS);
    App app = await(App.start(vertx, setup.config()));
    System.out.println(DevCommand.instructions(setup, app.port()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown(app, vertx);
      try {
        setup.database().close();
      } catch (Exception ignored) {
        // The process is ending; PostgreSQL stops with it.
      }
    }));
  }

  /**
   * Two waits, not {@code stop().eventually(close)}: a future bound to an event loop completes on
   * it, and once close() has stopped the loops that completion never runs and SIGTERM would hang.
   */
  private static void shutdown(App app, Vertx vertx) {
    try {
      await(app.stop());
    } finally {
      await(vertx.close());
    }
  }

  private static Future<String> migrate(Vertx vertx, AppConfig config) {
    if (config.databaseUrl() == null) {
      throw new ConfigException("DATABASE_URL: missing (postgresql://user:pass@host:port/db)");
    }
    var pool = Database.pool(vertx, config);
    return Migrations.load().apply(pool)
        .map(count -> "applied " + count + " migration(s)")
        .eventually(pool::close);
  }

  private interface OneShot {
    Future<String> run(Vertx vertx, AppConfig config);
  }

  private static int runOnce(AppConfig config, OneShot command) {
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println(await(command.run(vertx, config)));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    } finally {
      await(vertx.close());
    }
  }

  private static void exit(int status) {
    System.exit(status);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }
}
