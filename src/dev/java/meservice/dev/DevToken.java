package meservice.dev;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import meservice.cli.CommandException;

/**
 * {@code dev token}: a session token of dev's local issuer for whoever a front-end developer needs
 * to be (another user, another organization, a member instead of an admin, no organization), signed
 * with the key under {@code ./data} that {@code dev} verifies with. Prints the token alone, so
 * {@code TOKEN=$(java -jar target/me-service.jar dev token --user user_2)} works.
 */
final class DevToken {

  static final String USAGE =
      "usage: dev token [--user ID] [--org ID | --no-org] [--role ROLE] [--ttl SECONDS]\n"
      + "       defaults: --user " + DevEnvironment.USER + " --org " + DevEnvironment.ORG
      + " --role " + DevEnvironment.ROLE + " --ttl " + DevEnvironment.TOKEN_TTL_SECONDS;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final Pattern ROLE = Pattern.compile("org:[A-Za-z0-9_:-]{1,64}");
  private static final Set<String> WITH_VALUE = Set.of("--user", "--org", "--role", "--ttl");

  private DevToken() {}

  static String mint(Path dataDirectory, List<String> args) throws Exception {
    Map<String, String> options = new HashMap<>();
    boolean noOrg = false;
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (option.equals("--no-org")) {
        noOrg = true;
      } else if (!WITH_VALUE.contains(option)) {
        throw usage("unknown option '" + option + "'");
      } else if (i + 1 >= args.size()) {
        throw usage(option + " needs a value");
      } else if (options.put(option, args.get(++i)) != null) {
        throw usage(option + " is given twice");
      }
    }
    if (noOrg && (options.containsKey("--org") || options.containsKey("--role"))) {
      throw usage("--no-org takes neither --org nor --role");
    }
    String user = matching(options.getOrDefault("--user", DevEnvironment.USER), ID, "--user");
    String org = noOrg ? null : matching(options.getOrDefault("--org", DevEnvironment.ORG), ID, "--org");
    String role = noOrg ? null : matching(options.getOrDefault("--role", DevEnvironment.ROLE), ROLE, "--role");
    long ttl = seconds(options.getOrDefault("--ttl", Long.toString(DevEnvironment.TOKEN_TTL_SECONDS)));
    return LocalIssuer.loadOrCreate(dataDirectory.resolve(DevEnvironment.SIGNING_KEY)).sessionToken(user, org, role, ttl);
  }

  private static String matching(String value, Pattern pattern, String option) {
    if (!pattern.matcher(value).matches()) {
      throw usage(option + " '" + value + "' must match " + pattern.pattern());
    }
    return value;
  }

  private static long seconds(String value) {
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= 1 && seconds <= 30L * 24 * 3600) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw usage("--ttl '" + value + "' must be 1 to 2592000 seconds");
  }

  private static CommandException usage(String problem) {
    return new CommandException("dev token: " + problem + "\n" + USAGE);
  }
}
