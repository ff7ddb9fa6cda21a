package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import meservice.apikey.ApiKeyRepository;
import meservice.apikey.NewApiKey;
import meservice.config.AppConfig;
import meservice.config.ConfigException;
import meservice.db.Database;
import meservice.db.Migrations;

/**
 * {@code apikey create --org ORG [--name NAME] [--scopes a,b]}, {@code apikey list --org ORG},
 * {@code apikey revoke ID}. The result is the text to print; usage errors fail with an
 * {@link IllegalArgumentException} whose message is the line to show.
 */
public final class ApiKeyCommand {

  static final String USAGE = String.join("\n",
      "usage: apikey create --org ORG [--name NAME] [--scopes a,b]",
      "       apikey list --org ORG",
      "       apikey revoke ID");

  private static final Pattern ORG = Pattern.compile("org_[A-Za-z0-9]{1,64}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._-]{1,64}");
  private static final int MAX_NAME = 100;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

  private ApiKeyCommand() {}

  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    Function<ApiKeyRepository, Future<String>> action;
    try {
      action = parse(args);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (config.databaseUrl() == null) {
      throw new ConfigException("DATABASE_URL: missing (postgresql://user:pass@host:port/db)");
    }
    Pool pool = Database.pool(vertx, config);
    return Migrations.load().apply(vertx, config)
        .compose(v -> action.apply(ApiKeyRepository.create(pool)))
        .eventually(pool::close);
  }

  private static Function<ApiKeyRepository, Future<String>> parse(String[] args) {
    String sub = args.length > 1 ? args[1] : "";
    Map<String, String> options = options(Arrays.copyOfRange(args, Math.min(2, args.length), args.length), sub);
    return switch (sub) {
      case "create" -> {
        String org = org(options);
        String name = name(options.get("--name"));
        List<String> scopes = scopes(options.get("--scopes"));
        yield repository -> repository.create(org, name, scopes).map(ApiKeyCommand::created);
      }
      case "list" -> {
        String org = org(options);
        yield repository -> repository.list(org).map(keys -> listing(org, keys));
      }
      case "revoke" -> {
        UUID id = id(args);
        yield repository -> repository.revoke(id).map(revokedAt -> {
          if (revokedAt == null) {
            throw new IllegalArgumentException("apikey revoke: no api key has id " + id);
          }
          return "api key " + id + " revoked at " + time(revokedAt);
        });
      }
      default -> throw new IllegalArgumentException(USAGE);
    };
  }

  private static Map<String, String> options(String[] rest, String sub) {
    if (sub.equals("revoke")) {
      return Map.of();
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < rest.length; i += 2) {
      String option = rest[i];
      boolean known = option.equals("--org") || (sub.equals("create") && (option.equals("--name") || option.equals("--scopes")));
      if (!known || i + 1 >= rest.length || options.put(option, rest[i + 1]) != null) {
        throw new IllegalArgumentException(USAGE);
      }
    }
    return options;
  }

  private static String org(Map<String, String> options) {
    String org = options.get("--org");
    if (org == null) {
      throw new IllegalArgumentException(USAGE);
    }
    if (!ORG.matcher(org).matches()) {
      throw new IllegalArgumentException("apikey: --org must be a Clerk organization id (org_ and letters or digits)");
    }
    return org;
  }

  private static String name(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("apikey: --name must be at most " + MAX_NAME + " printable characters");
    }
    return name.strip();
  }

  private static List<String> scopes(String value) {
    if (value == null) {
      return List.of();
    }
    TreeSet<String> scopes = new TreeSet<>();
    for (String scope : value.split(",", -1)) {
      String trimmed = scope.strip();
      if (!SCOPE.matcher(trimmed).matches()) {
        throw new IllegalArgumentException("apikey: scope '" + trimmed + "' must be 1 to 64 of A-Z a-z 0-9 : . _ -");
      }
      scopes.add(trimmed);
    }
    return List.copyOf(scopes);
  }

  private static UUID id(String[] args) {
    if (args.length != 3) {
      throw new IllegalArgumentException(USAGE);
    }
    try {
      return UUID.fromString(args[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("apikey revoke: '" + args[2] + "' is not an api key id (a UUID from apikey list)");
    }
  }

  private static String created(NewApiKey key) {
    return String.join("\n",
        "created api key " + key.id() + " for " + key.clerkOrgId()
            + (key.name() == null ? "" : " (" + key.name() + ")")
            + ", scopes: " + (key.scopes().isEmpty() ? "none" : String.join(",", key.scopes())),
        "",
        "  " + key.secret(),
        "",
        "This is the only time the key is shown: store it now. Use it as 'Authorization: Bearer <key>'.",
        "Revoke it with: apikey revoke " + key.id());
  }

  private static String listing(String org, List<ApiKeyRepository.Listed> keys) {
    if (keys.isEmpty()) {
      return "no api keys for " + org;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "REVOKED"});
    for (ApiKeyRepository.Listed key : keys) {
      rows.add(new String[] {key.id().toString(), key.name() == null ? "-" : key.name(), key.prefix() + "...",
          key.scopes().isEmpty() ? "-" : String.join(",", key.scopes()), time(key.createdAt()),
          time(key.lastUsedAt()), time(key.revokedAt())});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString().stripTrailing();
  }

  private static String time(OffsetDateTime time) {
    return time == null ? "-" : TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
