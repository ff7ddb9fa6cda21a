package meservice.support;

import static meservice.support.Futures.await;

import io.vertx.core.Vertx;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.cli.ApiKeyCommand;
import meservice.config.AppConfig;

/** {@code apikey ...} exactly as {@code Main} runs it; the returned text is what it prints. */
public final class ApiKeyCli {

  private static final Pattern KEY = Pattern.compile("mek_[0-9A-Za-z]{43}");
  private static final Pattern ID = Pattern.compile("created api key ([0-9a-f-]{36}) ");

  /** What {@code apikey create} printed, and the key and id read from it. */
  public record Created(String id, String key, String output) {}

  private ApiKeyCli() {}

  public static String newOrgId() {
    return "org_" + UUID.randomUUID().toString().replace("-", "");
  }

  public static String run(Vertx vertx, String... args) {
    return run(vertx, TestConfig.config(), args);
  }

  /** As an operator runs it with {@code config}'s environment (e.g. through PgBouncer). */
  public static String run(Vertx vertx, AppConfig config, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "apikey";
    System.arraycopy(args, 0, argv, 1, args.length);
    return await(ApiKeyCommand.run(vertx, config, argv));
  }

  public static Created create(Vertx vertx, String org, String... options) {
    return create(vertx, TestConfig.config(), org, options);
  }

  public static Created create(Vertx vertx, AppConfig config, String org, String... options) {
    String[] args = new String[options.length + 3];
    args[0] = "create";
    args[1] = "--org";
    args[2] = org;
    System.arraycopy(options, 0, args, 3, options.length);
    String output = run(vertx, config, args);
    Matcher key = KEY.matcher(output);
    Matcher id = ID.matcher(output);
    if (!key.find() || !id.find()) {
      throw new AssertionError("apikey create printed no key or id:\n" + output);
    }
    return new Created(id.group(1), key.group(), output);
  }

  public static String revoke(Vertx vertx, String id) {
    return run(vertx, "revoke", id);
  }

  public static String revoke(Vertx vertx, AppConfig config, String id) {
    return run(vertx, config, "revoke", id);
  }
}
