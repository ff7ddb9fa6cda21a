package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import meservice.apikey.ApiKeyRepository;
import meservice.apikey.NewApiKey;
import meservice.cli.Cli.OneShot;
import meservice.config.AppConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code apikey create --org ORG [--name NAME] [--scopes a,b]}, {@code apikey list --org ORG},
 * {@code apikey revoke ID}. The result is the text to print; usage errors fail with an
 * {@link IllegalArgumentException} whose message is the line to show (see {@link Cli}).
 */
@Command(name = "apikey", subcommands = HelpCommand.class)
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

  /** {@code args} as Main gets them, {@code apikey} first; the database is opened only to run a command. */
  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    return Cli.run(new ApiKeyCommand(), USAGE, vertx, config, args);
  }

  @Command(name = "create")
  OneShot create(@Option(names = "--org") String org, @Option(names = "--name") String name,
      @Option(names = "--scopes") String scopes) {
    String validOrg = org("create", org);
    String validName = name(name);
    List<String> validScopes = scopes(scopes);
    return withRepository(repository -> repository.create(validOrg, validName, validScopes).map(ApiKeyCommand::created));
  }

  @Command(name = "list")
  OneShot list(@Option(names = "--org") String org) {
    String validOrg = org("list", org);
    return withRepository(repository -> repository.list(validOrg).map(keys -> listing(validOrg, keys)));
  }

  @Command(name = "revoke")
  OneShot revoke(@Parameters(arity = "0..1") String id) {
    UUID validId = id(id);
    return withRepository(repository -> repository.revoke(validId).map(revokedAt -> {
      if (revokedAt == null) {
        throw new IllegalArgumentException("apikey revoke: no api key has id " + validId);
      }
      return "api key " + validId + " revoked at " + time(revokedAt);
    }));
  }

  private static OneShot withRepository(Function<ApiKeyRepository, Future<String>> action) {
    return Cli.onMigratedDatabase(pool -> action.apply(ApiKeyRepository.create(pool, pool.pool())));
  }

  private static String org(String sub, String org) {
    if (org == null) {
      throw new IllegalArgumentException("apikey " + sub + ": --org is required\n" + USAGE);
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

  private static UUID id(String id) {
    if (id == null) {
      throw new IllegalArgumentException("apikey revoke: the ID of the key is required (apikey list shows it)\n" + USAGE);
    }
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("apikey revoke: '" + id + "' is not an api key id (a UUID from apikey list)");
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
