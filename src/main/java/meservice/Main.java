package meservice;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import meservice.cli.ApiKeyCommand;
import meservice.cli.Cli.OneShot;
import meservice.cli.CommandException;
import meservice.cli.DevCopies;
import meservice.cli.DevMode;
import meservice.cli.HealthCheckCommand;
import meservice.cli.UserCommand;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.config.ConfigLoader;
import meservice.db.Database;
import meservice.db.Migrations;
import meservice.me.MeFeature;
import meservice.me.Preferences;
import meservice.ops.BuildInfo;
import meservice.ops.OpenApi;
import org.slf4j.LoggerFactory;

/** {@code java -jar me-service.jar [serve|dev|migrate|apikey ...|user ...]}. */
public final class Main {

  private static final String USAGE = String.join("\n",
      "usage: java -jar me-service.jar COMMAND",
      "  serve                                   production server (default)",
      "  dev                                     local server, embedded PostgreSQL in ./data, local tokens",
      "  dev token [--user ID] [--org ID | --no-org] [--role ROLE] [--ttl SECONDS]",
      "                                          print a dev session token for another user, org or role",
      "  migrate                                 apply database migrations and exit",
      "  apikey create --org ORG [--name NAME] [--scopes a,b]",
      "                                          create an API key for a Clerk organization; prints it once",
      "  apikey list --org ORG                   list an organization's keys (never the secret)",
      "  apikey revoke ID                        revoke a key on every instance within a second",
      "  openapi                                 print the OpenAPI document the service serves (no database needed)",
      "  healthcheck                             exit 0 when /health/live on 127.0.0.1:$PORT answers 200",
      "  user set-staff CLERK_USER_ID true|false set a user's staff flag");

  /** The configuration this process runs with, once loaded: what a failure message names. */
  private static volatile AppConfig loaded;

  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "serve" : args[0];
    Map<String, String> env = System.getenv();
    try {
      switch (command) {
        case "serve" -> serve(load(env, "json"));
        case "dev" -> {
          if (args.length > 1 && args[1].equals("token")) {
            System.out.println(DevMode.token(Path.of("data"), List.of(args).subList(2, args.length)));
            // dev itself runs from private copies of the jars, which a rebuild cannot rewrite under it.
          } else if (!DevCopies.run(args)) {
            dev(env);
          }
        }
        case "migrate" -> exit(runOnce(load(env, "text"), Main::migrate));
        case "apikey" -> exit(runOnce(load(env, "text"), (vertx, config) -> ApiKeyCommand.run(vertx, config, args)));
        case "openapi" -> System.out.println(OpenApi.load(MeFeature.openApi(Preferences.REGISTRY)).text());
        case "healthcheck" -> exit(HealthCheckCommand.run(ConfigLoader.load(env)));
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
    } catch (CommandException e) {
      System.err.println("me-service: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.err.println("me-service: " + command + " failed: " + StartupFailure.describe(e, loaded));
      System.exit(1);
    }
  }

  private static AppConfig load(Map<String, String> env, String defaultLogFormat) {
    AppConfig config = ConfigLoader.load(env);
    Logging.use(config.logging(), defaultLogFormat);
    loaded = config;
    return config;
  }

  /** The first line a server writes: which build this is, so every later line can be placed. */
  private static void logBuild() {
    BuildInfo build = BuildInfo.current();
    LoggerFactory.getLogger(Main.class).atInfo()
        .addKeyValue("version", build.version())
        .addKeyValue("commit", build.commit())
        .addKeyValue("java_version", build.javaVersion())
        .log("me-service {} (commit {}) on Java {}", build.version(), build.commit(), build.javaVersion());
  }

  /** SIGTERM runs the shutdown hook: readiness 503, drain in-flight requests, close the pool. */
  private static void serve(AppConfig config) {
    logBuild();
    Vertx vertx = App.vertx(System.getenv());
    App app = await(App.start(vertx, config).onFailure(err -> vertx.close()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(app, vertx, config)));
  }

  /**
   * {@code serve} inside dev mode (see {@link DevMode}). One shutdown hook stops the service first
   * and the embedded database last, so the drain and the final flushes still have it.
   */
  private static void dev(Map<String, String> env) throws Exception {
    load(env, "text"); // a bad setting stops dev before PostgreSQL starts
    DevMode devMode = DevMode.start(env, Path.of("data"));
    AtomicReference<Runnable> stopService = new AtomicReference<>(() -> { });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopService.get().run();
      devMode.close();
      DevCopies.deleteOwn();
    }));
    Map<String, String> devEnv = new HashMap<>(env);
    devEnv.putAll(devMode.settings());
    AppConfig config = ConfigLoader.loadForDev(devEnv);
    loaded = config;
    logBuild();
    Vertx vertx = App.vertx(devEnv);
    App app = await(App.start(vertx, config).onFailure(err -> vertx.close()));
    stopService.set(() -> stopWithin(app, vertx, config));
    System.out.println(devMode.instructions(app.port(), app.managementPort()));
  }

  /**
   * The shutdown hook: App.stop's sequence, then Vert.x, as two waits (not
   * {@code stop().eventually(close)}: a future bound to an event loop completes on it, and once
   * close() has stopped the loops that completion never runs). Bounded, so a stuck close can never
   * keep the process past its budget (delay + grace + pool close + a margin for Vert.x itself).
   */
  private static void stopWithin(App app, Vertx vertx, AppConfig config) {
    AppConfig.Shutdown shutdown = config.http().shutdown();
    long budget = shutdown.delay().toSeconds() + shutdown.grace().toSeconds() + Database.CLOSE_SECONDS + 5L;
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(budget, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("me-service: shutdown did not finish cleanly within " + budget + " s: " + e);
    }
    Logging.flush();
  }

  private static Future<String> migrate(Vertx vertx, AppConfig config) {
    config.database().requireUrl();
    return Migrations.load().apply(vertx, config.database()).map(count -> "applied " + count + " migration(s)");
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
      // Bounded like the pool's close (Database.close): the process exits right after.
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(Database.CLOSE_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("me-service: Vert.x not closed within " + Database.CLOSE_SECONDS + " s: " + e);
      }
    }
  }

  private static void exit(int status) {
    Logging.flush();
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
