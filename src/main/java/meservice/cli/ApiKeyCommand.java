package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import meservice.apikey.ApiKeyRepository;
import meservice.apikey.NewApiKey;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.WritePool;
import meservice.db.Migrations;

/**
 * {@code apikey create --org ORG [--name NAME] [--scopes a,b]}, {@code apikey list --org ORG},
 * {@code apikey revoke ID}. The result is the text to print; usage errors fail with an
 * {@link IllegalArgumentException} whose message is the line to show.
 */
public final class ApiKeyCommand {

  public static final String USAGE = String.join("\n",
      "usage: apikey create --org ORG [--name NAME] [--scopes a,b]",
      "       apikey list --org ORG",
      "       apikey revoke ID");

  private static final Pattern ORG = Pattern.compile("org_[A-Za-z0-9]{1,64}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._-]{1,64}");
  private static final int MAX_NAME = 100;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

  private ApiKeyCommand() {}

  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    if (wantsHelp(args)) {
      return Future.succeededFuture(USAGE);
    }
    Function<ApiKeyRepository, Future<String>> action;
    try {
      action = parse(args);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    config.database().requireUrl();
    WritePool pool = Database.pool(vertx, config.database());
    return Migrations.load().apply(vertx, config.database())
        .compose(v -> action.apply(ApiKeyRepository.create(pool, pool.pool())))
        .eventually(pool::close);
  }

  /** {@code apikey help}, or {@code --help}/{@code -h} anywhere: the usage, and no database. */
  private static boolean wantsHelp(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h") || (i == 1 && args[i].equals("help"))) {
        return true;
      }
    }
    return false;
  }

  private static Function<ApiKeyRepository, Future<String>> parse(String[] args) {
    String sub = args.length > 1 ? args[1] : "";
    String[] rest = Arrays.copyOfRange(args, Math.min(2, args.length), args.length);
    return switch (sub) {
      case "create" -> {
        Map<String, String> options = options(sub, rest, Set.of("--org", "--name", "--scopes"));
        String org = org(sub, options);
        String name = name(options.get("--name"));
        List<String> scopes = scopes(options.get("--scopes"));
        yield repository -> repository.create(org, name, scopes).map(ApiKeyCommand::created);
      }
      case "list" -> {
        String org = org(sub, options(sub, rest, Set.of("--org")));
        yield repository -> repository.list(org).map(keys -> listing(org, keys));
      }
      case "revoke" -> {
        UUID id = id(rest);
        yield repository -> repository.revoke(id).map(revokedAt -> {
          if (revokedAt == null) {
            throw new IllegalArgumentException("apikey revoke: no api key has id " + id);
          }
          return "api key " + id + " revoked at " + time(revokedAt);
        });
      }
      case "" -> throw usage("apikey: which one? create, list or revoke");
      default -> throw usage("apikey: unknown command '" + sub + "'");
    };
  }

  /** What is wrong, then how it is used: the whole message a usage error prints. */
  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(problem + "\n" + USAGE);
  }

  private static Map<String, String> options(String sub, String[] rest, Set<String> known) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < rest.length; i += 2) {
      String option = rest[i];
      if (!known.contains(option)) {
        throw usage("apikey " + sub + ": " + (option.startsWith("-")
            ? "unknown option " + option + suggestion(option, known)
            : "unexpected argument '" + option + "'"));
      }
      if (i + 1 >= rest.length) {
        throw usage("apikey " + sub + ": " + option + " needs a value");
      }
      if (options.put(option, rest[i + 1]) != null) {
        throw usage("apikey " + sub + ": " + option + " is given twice");
      }
    }
    return options;
  }

  /** {@code --scope} for {@code --scopes}, {@code --organization} for {@code --org}. */
  private static String suggestion(String option, Set<String> known) {
    return known.stream()
        .filter(k -> option.length() > 2 && (k.startsWith(option) || option.startsWith(k)))
        .findFirst()
        .map(k -> " (did you mean " + k + "?)")
        .orElse("");
  }

  private static String org(String sub, Map<String, String> options) {
    String org = options.get("--org");
    if (org == null) {
      throw usage("apikey " + sub + ": --org is required");
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

  private static UUID id(String[] rest) {
    if (rest.length == 0) {
      throw usage("apikey revoke: the ID of the key is required (apikey list shows it)");
    }
    if (rest.length > 1) {
      throw usage("apikey revoke: unexpected argument '" + rest[1] + "'");
    }
    try {
      return UUID.fromString(rest[0]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("apikey revoke: '" + rest[0] + "' is not an api key id (a UUID from apikey list)");
    }
  }

  /** The key on a line of its own, ready to paste into a shell or an {@code .env} file. */
  private static String created(NewApiKey key) {
    return String.join("\n",
        "created api key " + key.id() + " for " + key.clerkOrgId()
            + (key.name() == null ? "" : " (" + key.name() + ")")
            + ", scopes: " + (key.scopes().isEmpty() ? "none" : String.join(",", key.scopes())),
        "",
        "ME_API_KEY=" + key.secret(),
        "",
        "This is the only time the key is shown: store it now. Use it as 'Authorization: Bearer $ME_API_KEY'.",
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
