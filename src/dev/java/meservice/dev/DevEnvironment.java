package meservice.dev;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import meservice.cli.CommandException;
import meservice.cli.DevMode;

/**
 * {@code dev}: the service on 127.0.0.1 with an embedded PostgreSQL under {@code ./data} and a
 * local token issuer in place of Clerk. Everything here runs once, on the main thread (and
 * {@link #close} in the shutdown hook, after the service has stopped).
 *
 * <p>{@code ./data} holds: {@code dev.lock} (held while dev runs; the pid inside), {@code postgres/}
 * (the database), {@code postgres.port} (its port, kept so a printed {@code DATABASE_URL} stays
 * valid), {@code dev-signing-key} (the issuer's private key, 0600), {@code dev-public-key.pem} and
 * {@code dev-jwks.json} (its public half, for {@code serve}).
 */
public final class DevEnvironment implements DevMode {

  /** Loaded by name from the production jar's {@code dev} command ({@link DevMode#STARTER}). */
  public static final class Starter implements DevMode.Starter {
    @Override
    public DevMode start(Map<String, String> env, Path dataDirectory) throws Exception {
      return DevEnvironment.start(dataDirectory, env.containsKey(CONNECT_TIMEOUT), env.containsKey(MANAGEMENT_PORT),
          origins(env.get(DEV_ORIGINS)));
    }

    @Override
    public String token(Path dataDirectory, List<String> args) throws Exception {
      return DevToken.mint(dataDirectory, args);
    }
  }

  /** Who the token {@code dev} prints (and {@code dev token} by default) is. */
  static final String USER = "user_dev";
  static final String ORG = "org_dev";
  static final String ROLE = "org:admin";
  static final long TOKEN_TTL_SECONDS = 24 * 3600;
  static final String SIGNING_KEY = "dev-signing-key";

  /**
   * dev's authorized parties: the {@code azp} its tokens carry, plus {@code DEV_ORIGINS}
   * (comma-separated) for a front end served from a host other than the loopback. A front end on
   * any loopback port ({@code http://localhost:<port>}, {@code http://127.0.0.1:<port>},
   * {@code http://[::1]:<port>}) needs no entry: the dev command turns on CORS for every loopback
   * origin ({@code ConfigLoader.loadForDev}). A token's {@code azp} is a claim, not the request's
   * {@code Origin}: dev's tokens always carry this one, so the azp check needs nothing more.
   */
  static final List<String> LOCAL_ORIGINS = List.of(LocalIssuer.AUTHORIZED_PARTY);
  private static final String DEV_ORIGINS = "DEV_ORIGINS";

  /**
   * A PostgreSQL that has just started on a busy laptop can take longer than production's 1 s to
   * accept the first connections (seen under load: the start failed with a pool "Timeout"), so dev
   * waits up to 10 s unless the operator set it.
   */
  private static final String CONNECT_TIMEOUT = "DB_CONNECT_TIMEOUT_MS";
  /**
   * A laptop often runs something on serve's 9090 (Prometheus itself listens there): dev takes any
   * free port for {@code /metrics} unless the operator named one, and prints it.
   */
  private static final String MANAGEMENT_PORT = "MANAGEMENT_PORT";

  private final FileChannel lock;
  private final DevDatabase database;
  private final LocalIssuer issuer;
  private final Path dataDirectory;
  private final boolean connectTimeoutSet;
  private final boolean managementPortSet;
  private final List<String> origins;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DevEnvironment(FileChannel lock, DevDatabase database, LocalIssuer issuer, Path dataDirectory,
      boolean connectTimeoutSet, boolean managementPortSet, List<String> origins) {
    this.lock = lock;
    this.database = database;
    this.issuer = issuer;
    this.dataDirectory = dataDirectory;
    this.connectTimeoutSet = connectTimeoutSet;
    this.managementPortSet = managementPortSet;
    this.origins = origins;
  }

  /** {@link #LOCAL_ORIGINS} and those of {@code DEV_ORIGINS}, each an http(s) origin. */
  static List<String> origins(String extra) {
    List<String> origins = new ArrayList<>(LOCAL_ORIGINS);
    for (String origin : extra == null ? new String[0] : extra.split(",")) {
      String trimmed = origin.strip();
      if (trimmed.isEmpty() || origins.contains(trimmed)) {
        continue;
      }
      if (!trimmed.matches("https?://[^/\\s,]+")) {
        throw new CommandException(DEV_ORIGINS + ": '" + trimmed + "' is not an origin (http://host:port, no path)");
      }
      origins.add(trimmed);
    }
    return List.copyOf(origins);
  }

  static DevEnvironment start(Path dataDirectory, boolean connectTimeoutSet, boolean managementPortSet,
      List<String> origins) throws Exception {
    Files.createDirectories(dataDirectory);
    FileChannel lock = lock(dataDirectory.resolve("dev.lock"));
    try {
      Path postgresData = dataDirectory.resolve("postgres");
      DevDatabase.stopLeftover(postgresData).ifPresent(pid -> System.out.println(
          "me-service dev: stopped the PostgreSQL (pid " + pid + ") that the last dev left running"));
      DevDatabase database = DevDatabase.startForDev(postgresData, port(dataDirectory.resolve("postgres.port")));
      LocalIssuer issuer = LocalIssuer.loadOrCreate(dataDirectory.resolve(SIGNING_KEY));
      Files.writeString(dataDirectory.resolve("dev-public-key.pem"), issuer.publicKeyPem());
      Files.writeString(dataDirectory.resolve("dev-jwks.json"),
          new JsonObject().put("keys", new JsonArray().add(issuer.jwk())).encodePrettily());
      return new DevEnvironment(lock, database, issuer, dataDirectory, connectTimeoutSet, managementPortSet, origins);
    } catch (Exception | Error e) {
      lock.close();
      throw e;
    }
  }

  /**
   * One dev per folder: the second one would share the database and the key. The OS drops the
   * lock when its process ends, however it ends, so a killed dev never blocks the next.
   */
  private static FileChannel lock(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock held = channel.tryLock();
    if (held == null) {
      String holder = Files.readString(file).trim();
      channel.close();
      throw new CommandException("dev is already running in this folder (pid " + (holder.isEmpty() ? "?" : holder)
          + " holds " + file + "); stop that one first, or start dev from another folder");
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    channel.force(false);
    return channel;
  }

  /**
   * The database's port: the one of the last run when it is still free, so a {@code DATABASE_URL}
   * copied from dev's output keeps working; else (first run, or taken by another program) a free
   * one, remembered from now on.
   */
  private static int port(Path file) throws IOException {
    int remembered = 0;
    if (Files.exists(file)) {
      try {
        remembered = Integer.parseInt(Files.readString(file).trim());
      } catch (NumberFormatException e) {
        remembered = 0;
      }
    }
    if (remembered > 0 && remembered < 65536 && free(remembered)) {
      return remembered;
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    if (remembered > 0) {
      System.out.println("me-service dev: port " + remembered + " of the dev database is taken by another program; "
          + "it moves to " + port + " (DATABASE_URL changes)");
    }
    Files.writeString(file, port + "\n");
    return port;
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>(Map.of(
        "HOST", "127.0.0.1",
        "DATABASE_URL", database.url(),
        "CLERK_JWKS_URL", "", // empty is unset: dev's own key, whatever the operator's shell has
        "CLERK_JWT_KEY", issuer.publicKeyPem(),
        "CLERK_ISSUER", LocalIssuer.ISSUER,
        "CLERK_AUTHORIZED_PARTIES", String.join(",", origins)));
    if (!connectTimeoutSet) {
      settings.put(CONNECT_TIMEOUT, "10000");
    }
    if (!managementPortSet) {
      settings.put(MANAGEMENT_PORT, "0");
    }
    return settings;
  }

  @Override
  public String instructions(int port, int managementPort) {
    String token = issuer.sessionToken(USER, ORG, ROLE, TOKEN_TTL_SECONDS);
    String base = "http://127.0.0.1:" + port;
    String data = "./" + dataDirectory.normalize();
    return String.join("\n",
        "",
        "me-service dev is up on " + base + " (PostgreSQL data in " + data + ", token valid 24 h)",
        "",
        "  TOKEN='" + token + "'",
        "",
        "  curl -s " + base + "/v1/me -H \"Authorization: Bearer $TOKEN\"",
        "",
        "  curl -s -X PATCH " + base + "/v1/me -H \"Authorization: Bearer $TOKEN\" \\",
        "    -H 'Content-Type: application/json' -d '{\"preferences\": {\"timezone\": \"America/Los_Angeles\"}}'",
        "",
        "  # a token for someone else (another user, org or role; --no-org for none):",
        "  java -jar target/me-service.jar dev token --user user_2 --org org_x --role org:member",
        "",
        "  # front ends on any http://localhost:<port> or http://127.0.0.1:<port> get CORS answers;",
        "  # other origins: DEV_ORIGINS=http://host:port,..." + (origins.size() > LOCAL_ORIGINS.size()
            ? " (now: " + String.join(" ", origins.subList(LOCAL_ORIGINS.size(), origins.size())) + ")" : ""),
        "  # metrics (Prometheus text), on the management port:",
        "  curl -s http://127.0.0.1:" + managementPort + "/metrics",
        "",
        "  # the dev database (same port on every start):",
        "  DATABASE_URL='" + database.url() + "'",
        "",
        "  # an API key of org_dev (printed once; use it as the Bearer credential of GET /v1/me):",
        "  DATABASE_URL='" + database.url() + "' java -jar target/me-service.jar apikey create --org org_dev",
        "",
        "  # serve (the production command) on this database, accepting dev's tokens:",
        "  PORT=" + (port == 8081 ? 8082 : 8081) + " DATABASE_URL='" + database.url() + "' \\",
        "    CLERK_JWT_KEY=\"$(cat " + data + "/dev-public-key.pem)\" CLERK_ISSUER='" + LocalIssuer.ISSUER + "' \\",
        "    CLERK_AUTHORIZED_PARTIES='" + LocalIssuer.AUTHORIZED_PARTY + "' java -jar target/me-service.jar serve",
        "");
  }

  /** Stops PostgreSQL (fast shutdown), then lets the next dev have the folder. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      database.close();
    } catch (IOException e) {
      System.err.println("me-service dev: stopping PostgreSQL: " + e.getMessage());
    }
    try {
      lock.close();
    } catch (IOException e) {
      // The process is ending; the OS releases the lock with it.
    }
  }
}
