package meservice.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import meservice.resources.PackagedResources;

/**
 * The one config loader. Defaults are {@code conf/config.json} as built into the jar (a classpath
 * resource, so the jar runs from any folder); a {@code conf/config.json} in the working directory,
 * or the file named by {@code CONFIG_FILE} instead, replaces them key by key; an environment
 * variable of the same name overrides both. Runs once at start-up, before any event loop exists,
 * so its file reads block nobody.
 */
public final class ConfigLoader {

  /** Where the build puts {@code conf/config.json} inside the jar. */
  static final String DEFAULTS = "/conf/config.json";
  private static final String CONFIG_FILE = "CONFIG_FILE";
  private static final Path OVERRIDES = Path.of("conf", "config.json");
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512");
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final JsonObject file;
  private final Map<String, String> env;
  /** Every setting name this loader has read, in order. */
  private final Set<String> read = new LinkedHashSet<>();

  private ConfigLoader(JsonObject file, Map<String, String> env) {
    this.file = file;
    this.env = env;
  }

  public static AppConfig load(Map<String, String> env) {
    return load(env, Path.of(""), false);
  }

  /**
   * As {@link #load(Map)}, for the {@code dev} command: CORS then also allows any loopback origin
   * ({@link AppConfig#corsLoopbackAnyPort()}), since a local front end's dev server picks its own
   * port. A parameter of the command, not a setting, so {@code serve} cannot be given it.
   */
  public static AppConfig loadForDev(Map<String, String> env) {
    return load(env, Path.of(""), true);
  }

  static AppConfig load(Map<String, String> env, Path workingDirectory) {
    return load(env, workingDirectory, false);
  }

  /**
   * As {@link #load(Map)}, as if started in {@code workingDirectory}. Names come first: a key of
   * the override file that is no setting, or a variable that looks like one of ours but is none
   * (a misspelling, a setting of another version), stops start-up before any value is read, with
   * the setting it probably meant.
   */
  private static AppConfig load(Map<String, String> env, Path workingDirectory, boolean dev) {
    JsonObject settings = defaults();
    String configFile = env.get(CONFIG_FILE);
    if (configFile != null && !configFile.isBlank()) {
      JsonObject overrides = read(workingDirectory.resolve(configFile.trim()), CONFIG_FILE);
      SettingNames.requireKnown(overrides.fieldNames(), CONFIG_FILE + " (" + configFile.trim() + ")", knownNames());
      settings.mergeIn(overrides);
    } else if (Files.isRegularFile(workingDirectory.resolve(OVERRIDES))) {
      JsonObject overrides = read(workingDirectory.resolve(OVERRIDES), OVERRIDES.toString());
      SettingNames.requireKnown(overrides.fieldNames(), OVERRIDES.toString(), knownNames());
      settings.mergeIn(overrides);
    }
    SettingNames.requireKnownVariables(env.keySet(), knownNames());
    return new ConfigLoader(settings, env).build(dev);
  }

  /**
   * Every setting name the loader reads: the names it reads while loading the built-in defaults.
   * {@link #build} reads every setting on every load (none is read only in some cases), so a new
   * setting is known, to the checks above and to the README test, as soon as it is read.
   */
  public static Set<String> knownNames() {
    return Known.NAMES;
  }

  /** Computed once, on first use. */
  private static final class Known {
    static final Set<String> NAMES = names();

    private static Set<String> names() {
      ConfigLoader loader = new ConfigLoader(defaults(), Map.of());
      loader.build(false);
      Set<String> names = new LinkedHashSet<>(loader.read);
      names.add(CONFIG_FILE);
      return Collections.unmodifiableSet(names);
    }
  }

  private static JsonObject defaults() {
    return new JsonObject(PackagedResources.text(DEFAULTS));
  }

  private static JsonObject read(Path path, String name) {
    try {
      return new JsonObject(Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read " + path.toAbsolutePath());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(name + ": " + path + " is not a JSON object");
    }
  }

  private AppConfig build(boolean dev) {
    return new AppConfig(http(), database(), clerk(), scopes(), limits(), logging(), apiKeys(), userCache(), dev);
  }

  private AppConfig.Http http() {
    String host = text("HOST");
    int port = integer("PORT", 0, 65535);
    return new AppConfig.Http(host, port, seconds("HTTP_IDLE_TIMEOUT_SECONDS", 1, 3600),
        integer("BODY_LIMIT_BYTES", 2, 10 * 1024 * 1024), management(host, port),
        new AppConfig.Shutdown(seconds("SHUTDOWN_DELAY_SECONDS", 0, 300), seconds("SHUTDOWN_GRACE_SECONDS", 0, 3600)));
  }

  /** {@code /metrics} and the probes' own listener: {@code MANAGEMENT_HOST} defaults to {@code HOST}. */
  private AppConfig.Management management(String apiHost, int apiPort) {
    String host = optionalText("MANAGEMENT_HOST");
    int port = integer("MANAGEMENT_PORT", 0, 65535);
    if (port != 0 && port == apiPort && (host == null || host.equals(apiHost))) {
      throw new ConfigException("MANAGEMENT_PORT: " + port + " is PORT too; the management listener needs a port of its own");
    }
    return new AppConfig.Management(host == null ? apiHost : host, port);
  }

  private AppConfig.Database database() {
    int cores = Runtime.getRuntime().availableProcessors();
    int poolSize = integer("DB_POOL_SIZE", 0, 1000);
    int connections = poolSize == 0 ? defaultWritePoolSize(cores) : poolSize;
    int readConnections = integer("DB_READ_CONNECTIONS", 0, 1000);
    int waitQueue = integer("DB_MAX_WAIT_QUEUE", 0, 1_000_000);
    AppConfig.DatabaseLimits limits = new AppConfig.DatabaseLimits(millis("DB_CONNECT_TIMEOUT_MS", 100, 60_000),
        waitQueue == 0 ? connections * 64 : waitQueue, millis("DB_STATEMENT_TIMEOUT_MS", 0, 3_600_000));
    return new AppConfig.Database(postgresUrl("DATABASE_URL"), connections, postgresUrl("DATABASE_READ_URL"),
        readConnections == 0 ? defaultReadConnections(cores) : readConnections, limits, dbPooling());
  }

  private AppConfig.DatabasePooling dbPooling() {
    String mode = text("DATABASE_POOL_MODE");
    if (!mode.equals("session") && !mode.equals("transaction")) {
      throw new ConfigException("DATABASE_POOL_MODE: must be session or transaction");
    }
    String direct = postgresUrl("DATABASE_DIRECT_URL");
    boolean transaction = mode.equals("transaction");
    if (transaction && direct == null) {
      throw new ConfigException("DATABASE_DIRECT_URL: required when DATABASE_POOL_MODE=transaction "
          + "(listening for api key revocations needs a session: PostgreSQL itself or a session-mode pool)");
    }
    return new AppConfig.DatabasePooling(transaction, direct);
  }

  private AppConfig.Clerk clerk() {
    List<String> algorithms = list("CLERK_JWT_ALGORITHMS");
    if (algorithms.isEmpty() || !ALGORITHMS.containsAll(algorithms)) {
      throw new ConfigException("CLERK_JWT_ALGORITHMS: allowed values are RS256, RS384, RS512");
    }
    return new AppConfig.Clerk(optionalText("CLERK_ISSUER"), flag("ALLOW_ANY_ISSUER"),
        list("CLERK_AUTHORIZED_PARTIES"), flag("ALLOW_ANY_AUTHORIZED_PARTY"), algorithms,
        seconds("AUTH_CLOCK_SKEW_SECONDS", 0, 3600), pem("CLERK_JWT_KEY"), jwks());
  }

  /** Keys older than the max staleness mean the instance is not ready; a refresh interval longer than it would flap. */
  private AppConfig.Jwks jwks() {
    int refresh = integer("JWKS_REFRESH_SECONDS", 1, 86_400);
    int maxStale = integer("JWKS_MAX_STALE_SECONDS", 1, 604_800);
    if (maxStale < refresh) {
      throw new ConfigException("JWKS_MAX_STALE_SECONDS: " + maxStale + " is less than JWKS_REFRESH_SECONDS (" + refresh
          + "): keys would be too old between two refreshes");
    }
    return new AppConfig.Jwks(jwksUrl(), seconds("JWKS_MIN_REFETCH_SECONDS", 0, 3600), Duration.ofSeconds(refresh),
        Duration.ofSeconds(maxStale));
  }

  private AppConfig.Scopes scopes() {
    return new AppConfig.Scopes(strings(fileValue("user_scopes"), "user_scopes"), roleScopes());
  }

  private AppConfig.Limits limits() {
    return new AppConfig.Limits(
        new AppConfig.RateLimit(integer("RATE_LIMIT_PER_SECOND", 0, 1_000_000), integer("RATE_LIMIT_BURST", 1, 1_000_000)),
        new AppConfig.AuthFailureLimits(integer("AUTH_FAILURES_PER_SECOND", 0, 1_000_000),
            integer("AUTH_FAILURE_BURST", 1, 1_000_000), integer("AUTH_FAILURE_MAX_ADDRESSES", 1, 10_000_000)),
        ipRanges("TRUSTED_PROXIES"));
  }

  private AppConfig.Logging logging() {
    String format = optionalText("LOG_FORMAT");
    if (format != null && !format.equals("json") && !format.equals("text")) {
      throw new ConfigException("LOG_FORMAT: must be json or text");
    }
    return new AppConfig.Logging(format, new AppConfig.LogLevels(level("LOG_LEVEL"), level("LOG_ROOT_LEVEL")));
  }

  private AppConfig.ApiKeySettings apiKeys() {
    return new AppConfig.ApiKeySettings(
        new AppConfig.Cache(integer("API_KEY_CACHE_SIZE", 0, 10_000_000), seconds("API_KEY_CACHE_TTL_SECONDS", 1, 86_400)),
        seconds("API_KEY_LAST_USED_FLUSH_SECONDS", 1, 3600));
  }

  private AppConfig.Cache userCache() {
    return new AppConfig.Cache(integer("USER_CACHE_SIZE", 0, 10_000_000), seconds("USER_CACHE_TTL_SECONDS", 1, 86_400));
  }

  /**
   * Durable commits are grouped by Postgres only when several connections commit at once: 8 per
   * core, but never more than 16 (measured no better at 32, BENCHMARKS.md). The cap matters in a
   * container, where the JVM may see the node's 64 cores: uncapped, every pod would open 512
   * connections, and a handful of pods would use up PostgreSQL's {@code max_connections}.
   */
  static int defaultWritePoolSize(int cores) {
    return Math.min(16, 8 * Math.max(1, cores));
  }

  /** One pipelined read connection per core (at least 2, at most 4): each carries 64 queries at once. */
  static int defaultReadConnections(int cores) {
    return Math.min(4, Math.max(2, cores));
  }

  private String raw(String name) {
    read.add(name);
    String fromEnv = env.get(name);
    if (fromEnv != null) {
      return fromEnv.trim();
    }
    Object value = file.getValue(name);
    return value == null ? null : value.toString().trim();
  }

  private String text(String name) {
    String value = raw(name);
    if (value == null || value.isEmpty()) {
      throw new ConfigException(name + ": missing");
    }
    return value;
  }

  private String optionalText(String name) {
    String value = raw(name);
    return value == null || value.isEmpty() ? null : value;
  }

  private int integer(String name, int min, int max) {
    String value = text(name);
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        throw new ConfigException(name + ": " + value + " is outside " + min + ".." + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + ": '" + value + "' is not a whole number");
    }
  }

  private Duration seconds(String name, int min, int max) {
    return Duration.ofSeconds(integer(name, min, max));
  }

  private Duration millis(String name, int min, int max) {
    return Duration.ofMillis(integer(name, min, max));
  }

  private String postgresUrl(String name) {
    String value = optionalText(name);
    if (value == null) {
      return null;
    }
    if (!value.startsWith("postgresql://") && !value.startsWith("postgres://")) {
      throw new ConfigException(name + ": must look like postgresql://user:pass@host:port/db");
    }
    try {
      URI uri = URI.create(value);
      if (uri.getHost() == null) {
        throw new ConfigException(name + ": has no host");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + ": not a valid URL");
    }
    return value;
  }

  /**
   * The keys that decide who is who: fetched over TLS. Plain http only for a loopback host
   * ({@code dev}, tests), decided from the URL alone (no DNS lookup).
   */
  private String jwksUrl() {
    String name = "CLERK_JWKS_URL";
    String value = optionalText(name);
    if (value == null) {
      return null;
    }
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + ": not a valid URL");
    }
    if (uri.getHost() == null) {
      throw new ConfigException(name + ": not a valid URL");
    }
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    boolean loopbackHttp = "http".equalsIgnoreCase(uri.getScheme()) && isLoopback(uri.getHost());
    if (!https && !loopbackHttp) {
      throw new ConfigException(name + ": must be an https:// URL (http:// only for a loopback host: localhost, 127.0.0.0/8, ::1)");
    }
    return value;
  }

  /** {@code localhost}, or an IP literal in 127.0.0.0/8 or {@code ::1}; never a name lookup. */
  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
      return false;
    }
    try {
      // An IP literal is parsed, not resolved.
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private String pem(String name) {
    String value = optionalText(name);
    if (value == null) {
      return null;
    }
    // Operators often paste the PEM with literal "\n" sequences into a one-line variable.
    String pem = value.replace("\\n", "\n");
    if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new ConfigException(name + ": must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    return pem;
  }

  private List<String> list(String name) {
    String value = optionalText(name);
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private List<IpRange> ipRanges(String name) {
    List<IpRange> ranges = new ArrayList<>();
    for (String item : list(name)) {
      IpRange range = IpRange.of(item);
      if (range == null) {
        throw new ConfigException(name + ": '" + item + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8)");
      }
      ranges.add(range);
    }
    return List.copyOf(ranges);
  }

  /** A logback level; anything else (logback would take {@code verbose} for DEBUG) is refused. */
  private String level(String name) {
    String value = text(name).toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(value)) {
      throw new ConfigException(name + ": must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    }
    return value;
  }

  /** {@code true} or {@code false}; unset is {@code false}. */
  private boolean flag(String name) {
    String value = optionalText(name);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new ConfigException(name + ": must be true or false");
  }

  /** A setting only the config file can hold (a structure, not a string). */
  private Object fileValue(String name) {
    read.add(name);
    return file.getValue(name);
  }

  private Map<String, List<String>> roleScopes() {
    Object value = fileValue("role_scopes");
    if (!(value instanceof JsonObject roles)) {
      throw new ConfigException("role_scopes: must be an object of role -> [scopes] in the config file");
    }
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (String role : roles.fieldNames()) {
      result.put(role, strings(roles.getValue(role), "role_scopes." + role));
    }
    return Map.copyOf(result);
  }

  private static List<String> strings(Object value, String name) {
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(name + ": must be an array of strings in the config file");
    }
    List<String> result = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw new ConfigException(name + ": must be an array of non-empty strings");
      }
      result.add(s);
    }
    return List.copyOf(result);
  }
}
