package meservice.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.dev.LocalIssuer;
import meservice.identity.Ids;
import meservice.support.Api;
import meservice.support.JarProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/me-service.jar dev} as a new user meets it: run as a child process in a
 * folder of its own (so {@code ./data} is the test's), stopped the ways users stop it.
 */
class DevCommandIT {

  @TempDir
  Path folder;

  /**
   * A PostgreSQL a test left running on purpose (after SIGKILL) is stopped here whatever happens:
   * SIGTERM, PostgreSQL's smart shutdown, quick since the killed JVM's connections are gone.
   */
  @AfterEach
  void stopLeftoverPostgres() throws Exception {
    Optional<ProcessHandle> postgres = postmaster();
    if (postgres.isPresent()) {
      postgres.get().destroy();
      postgres.get().onExit().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void afterSigkillTheNextDevStopsTheLeftoverPostgresAndComesUpOnTheSameDatabaseUrl() {
    String url;
    long leftover;
    try (JarProcess first = dev()) {
      url = databaseUrl(up(first));
      leftover = postmaster().orElseThrow().pid();
      first.kill();
      first.waitForExit(Duration.ofSeconds(30));
    }
    assertTrue(ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false),
        "the killed dev's PostgreSQL still runs (the situation under test)");

    try (JarProcess second = dev()) {
      up(second);

      assertTrue(second.output().contains("stopped the PostgreSQL (pid " + leftover + ") that the last dev left running"),
          second.output());
      assertFalse(ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(url, databaseUrl(second.output()), "the DATABASE_URL printed before still works");
      assertNotEquals(leftover, postmaster().orElseThrow().pid());
    }
  }

  @Test
  void aSecondDevInTheSameFolderSaysOneIsRunningAndLeavesItAlone() {
    try (JarProcess first = dev()) {
      int port = port(up(first));

      JarProcess.Finished second = JarProcess.run(JarProcess.serviceJar(), folder, env(), "dev");

      assertEquals(1, second.status(), second.output());
      assertEquals("me-service: dev is already running in this folder (pid " + first.pid()
          + " holds data/dev.lock); stop that one first, or start dev from another folder", second.output().strip());
      assertEquals(200, new Api(port).send("GET", "/health/ready", Map.of(), null).status());
    }
  }

  @Test
  void onSigtermTheServiceDrainsAndFlushesBeforeTheDatabaseStops() {
    String key;
    try (JarProcess dev = dev()) {
      String up = up(dev);
      String url = databaseUrl(up);
      JarProcess.Finished created = JarProcess.run(JarProcess.serviceJar(), folder,
          Map.of("DATABASE_URL", url, "DB_CONNECT_TIMEOUT_MS", "10000"), "apikey", "create", "--org", "org_dev");
      assertEquals(0, created.status(), created.output());
      key = find("mek_[0-9A-Za-z]{43}", created.output());
      assertEquals(200, new Api(port(up)).get(key).status());

      dev.terminate();
      dev.waitForExit(Duration.ofSeconds(60));

      assertFalse(dev.output().contains("57P01"), dev.output());
      assertFalse(dev.output().contains("PgException"), dev.output());
      assertTrue(postmaster().isEmpty(), "PostgreSQL stopped with dev");
    }
    // The flush interval is an hour: only the final flush at shutdown can have written the use.
    try (JarProcess again = dev()) {
      String url = databaseUrl(up(again));
      JarProcess.Finished list = JarProcess.run(JarProcess.serviceJar(), folder,
          Map.of("DATABASE_URL", url, "DB_CONNECT_TIMEOUT_MS", "10000"), "apikey", "list", "--org", "org_dev");
      String row = list.output().lines().filter(line -> line.contains(key.substring(0, 12))).findFirst().orElseThrow();
      assertTrue(row.matches(".*Z +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +-$"), "last use recorded: " + row);
    }
  }

  @Test
  void theSigningKeyIsOwnerOnlyAndServeAcceptsDevTokensAsPrinted() throws Exception {
    // A key left world-readable by an older dev is tightened, and kept (its tokens stay valid).
    Path keyFile = folder.resolve("data/dev-signing-key");
    Files.createDirectories(keyFile.getParent());
    LocalIssuer older = LocalIssuer.loadOrCreate(keyFile);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

    try (JarProcess dev = dev()) {
      String up = up(dev);

      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      assertEquals(older.publicKeyPem(), Files.readString(folder.resolve("data/dev-public-key.pem")));
      assertTrue(Files.readString(folder.resolve("data/dev-jwks.json")).contains("\"kid\" : \"dev\""));

      // serve exactly as dev prints it, on another port, with dev's token.
      String output = up;
      assertTrue(output.contains("CLERK_JWT_KEY=\"$(cat ./data/dev-public-key.pem)\" CLERK_ISSUER='"
          + LocalIssuer.ISSUER + "'"), output);
      assertTrue(output.contains("CLERK_AUTHORIZED_PARTIES='" + LocalIssuer.AUTHORIZED_PARTY
          + "' java -jar target/me-service.jar serve"), output);
      Map<String, String> serveEnv = new HashMap<>();
      serveEnv.put("HOST", "127.0.0.1");
      serveEnv.put("PORT", "0");
      serveEnv.put("MANAGEMENT_PORT", "0");
      serveEnv.put("DATABASE_URL", databaseUrl(up));
      serveEnv.put("DB_CONNECT_TIMEOUT_MS", "10000");
      serveEnv.put("CLERK_JWT_KEY", Files.readString(folder.resolve("data/dev-public-key.pem")));
      serveEnv.put("CLERK_ISSUER", LocalIssuer.ISSUER);
      serveEnv.put("CLERK_AUTHORIZED_PARTIES", LocalIssuer.AUTHORIZED_PARTY);
      try (JarProcess serve = JarProcess.start(JarProcess.serviceJar(), folder, serveEnv, "serve")) {
        int port = Integer.parseInt(serve.await("listening on 127\\.0\\.0\\.1:(\\d+)", JarProcess.START).group(1));
        String token = find("TOKEN='([^']+)'", output, 1);

        Api.Response me = new Api(port).get(token);

        assertEquals(200, me.status(), me.text());
        assertTrue(me.data().getString("user_id") != null && me.data().getString("org_id") != null, me.text());
      }
    }
  }

  @Test
  void aFrontEndOnAnyLoopbackPortOrOneInDevOriginsCanCallDevFromTheBrowser() {
    Map<String, String> env = env();
    env.put("DEV_ORIGINS", "http://devbox.local:8000");
    try (JarProcess dev = JarProcess.start(JarProcess.serviceJar(), folder, env, "dev")) {
      String up = up(dev);
      Api api = new Api(port(up));

      for (String origin : List.of("http://localhost:3000", "http://localhost:5173", "http://localhost:4321",
          "http://127.0.0.1:4321", "http://[::1]:4321", "http://devbox.local:8000")) {
        Api.Response preflight = api.send("OPTIONS", "/v1/me", Map.of("Origin", origin,
            "Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "authorization,content-type"), null);
        assertEquals(204, preflight.status(), origin + ": " + preflight.text());
        assertEquals(origin, preflight.header("Access-Control-Allow-Origin"));
      }
      Api.Response fromAstro = api.send("GET", "/v1/me", Map.of("Origin", "http://localhost:4321",
          "Authorization", "Bearer " + find("TOKEN='([^']+)'", up, 1)), null);
      assertEquals(200, fromAstro.status(), fromAstro.text());
      assertEquals("http://localhost:4321", fromAstro.header("Access-Control-Allow-Origin"));
      for (String stranger : List.of("http://192.168.1.5:3000", "http://localhost.evil.example:4321")) {
        assertNull(api.send("OPTIONS", "/v1/me", Map.of("Origin", stranger,
            "Access-Control-Request-Method", "PATCH"), null).header("Access-Control-Allow-Origin"), stranger);
      }
    }
  }

  @Test
  void devTokenSignsInAnotherUserOfAnotherOrgWithAnotherRoleOrNoOrg() {
    try (JarProcess dev = dev()) {
      Api api = new Api(port(up(dev)));
      String admin = find("TOKEN='([^']+)'", dev.output(), 1);

      Api.Response member = api.get(devToken("--user", "user_2", "--org", "org_x", "--role", "org:member"));
      Api.Response alone = api.get(devToken("--user", "user_2", "--no-org"));
      Api.Response devUser = api.get(admin);

      assertEquals(200, member.status(), member.text());
      assertEquals(Ids.orgId("org_x").toString(), member.data().getString("org_id"));
      assertEquals(List.of("me:read", "me:write", "org:read"), member.data().getJsonArray("scopes").getList());
      assertEquals(Ids.userId("user_2").toString(), member.data().getString("user_id"));
      assertEquals(member.data().getString("user_id"), alone.data().getString("user_id"));
      assertNull(alone.data().getString("org_id"));
      assertEquals(List.of("me:read", "me:write"), alone.data().getJsonArray("scopes").getList());
      assertNotEquals(devUser.data().getString("user_id"), member.data().getString("user_id"));
      assertTrue(devUser.data().getJsonArray("scopes").contains("org:write"), devUser.text());
    }
  }

  @Test
  void devTokenWithAMisspeltOptionSaysHowItIsUsedAndSignsNothing() {
    JarProcess.Finished token = JarProcess.run(JarProcess.serviceJar(), folder, env(), "dev", "token", "--usr", "user_2");

    assertEquals(1, token.status(), token.output());
    assertTrue(token.output().startsWith("me-service: dev token: unknown option '--usr'\nusage: dev token [--user ID]"),
        token.output());
    assertFalse(Files.exists(folder.resolve("data")), "no key was made");
  }

  /** {@code dev token ARGS} in the dev's folder: the token it prints alone. */
  private String devToken(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("dev", "token"));
    command.addAll(List.of(args));
    JarProcess.Finished token = JarProcess.run(JarProcess.serviceJar(), folder, env(), command.toArray(String[]::new));
    assertEquals(0, token.status(), token.output());
    assertTrue(token.output().strip().matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), token.output());
    return token.output().strip();
  }

  /**
   * {@code mvn package} rewrites both jars in place while a developer's dev runs (the jar plugin
   * truncates the last build's jar). Here they are overwritten with bytes that are no jar at all:
   * dev runs from private copies, so it still answers (a PATCH loads classes no request had
   * loaded yet), stops promptly without a class missing, and deletes its copies.
   */
  @Test
  void rewritingTheJarsUnderARunningDevChangesNothingForIt() throws Exception {
    Path bin = Files.createDirectories(folder.resolve("bin"));
    Path jar = Files.copy(JarProcess.serviceJar(), bin.resolve("me-service.jar"));
    Files.copy(JarProcess.devJar(), bin.resolve("me-service-dev.jar"));
    try (JarProcess dev = JarProcess.start(jar, folder, env(), "dev")) {
      String up = up(dev);

      for (Path rewritten : List.of(jar, bin.resolve("me-service-dev.jar"))) {
        try (FileChannel channel = FileChannel.open(rewritten, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          channel.write(ByteBuffer.wrap("a rebuild in progress, not a jar".getBytes(StandardCharsets.US_ASCII)));
        }
      }
      Api api = new Api(port(up));
      String token = find("TOKEN='([^']+)'", up, 1);
      Api.Response patched = api.patch(token, "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}");
      assertEquals(200, patched.status(), patched.text() + "\n" + dev.output());
      assertEquals(200, api.get(token).status());
      Path copies = Path.of(System.getProperty("java.io.tmpdir"), "me-service-dev-" + dev.pid());
      assertTrue(Files.isDirectory(copies), "dev runs from copies in " + copies);

      long stopping = System.nanoTime();
      dev.terminate();
      dev.waitForExit(Duration.ofSeconds(60));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping);

      assertTrue(seconds < 20, "stopped after " + seconds + " s:\n" + dev.output());
      for (String broken : List.of("NoClassDefFoundError", "ClassNotFoundException", "ZipException", "did not finish")) {
        assertFalse(dev.output().contains(broken), dev.output());
      }
      assertTrue(postmaster().isEmpty(), "PostgreSQL stopped with dev");
      assertFalse(Files.exists(copies), "the copies are gone with dev");
    }
  }

  private JarProcess dev() {
    return JarProcess.start(JarProcess.serviceJar(), folder, env(), "dev");
  }

  /** Any free port for the service; the rest as a user's shell would have it (dev's own connect timeout). */
  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "0");
    env.put("DB_CONNECT_TIMEOUT_MS", null);
    env.put("API_KEY_LAST_USED_FLUSH_SECONDS", "3600");
    env.put("DATABASE_URL", null);
    return env;
  }

  private Optional<ProcessHandle> postmaster() {
    Path pidFile = folder.resolve("data/postgres/postmaster.pid");
    try {
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Waits for dev's instructions (their last line) and returns everything printed so far. */
  private static String up(JarProcess dev) {
    dev.await("target/me-service\\.jar serve$", JarProcess.START);
    return dev.output();
  }

  private static String databaseUrl(String output) {
    return find("DATABASE_URL='(postgresql://[^']+)'", output, 1);
  }

  private static int port(String output) {
    return Integer.parseInt(find("is up on http://127\\.0\\.0\\.1:(\\d+)", output, 1));
  }

  private static String find(String regex, String text) {
    return find(regex, text, 0);
  }

  private static String find(String regex, String text, int group) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no /" + regex + "/ in:\n" + text);
    }
    return matcher.group(group);
  }
}
