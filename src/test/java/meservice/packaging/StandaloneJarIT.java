package meservice.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import meservice.dev.LocalIssuer;
import meservice.support.Api;
import meservice.support.JarProcess;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production jar on its own: any folder, no dev code, no PostgreSQL binaries. */
class StandaloneJarIT {

  @Test
  void serveRunsFromAFolderWithoutConfAndAConfConfigJsonThereOverridesTheDefaults(@TempDir Path folder) throws IOException {
    Map<String, String> env = Map.of(
        "HOST", "127.0.0.1",
        "PORT", "0",
        "MANAGEMENT_PORT", "0",
        "DATABASE_URL", TestDatabase.url(),
        "DB_CONNECT_TIMEOUT_MS", "10000",
        "CLERK_JWT_KEY", Tokens.ISSUER.publicKeyPem(),
        "CLERK_ISSUER", "https://clerk.me-service.localhost",
        "CLERK_AUTHORIZED_PARTIES", "http://localhost:3000");

    try (JarProcess serve = JarProcess.start(JarProcess.serviceJar(), folder, env, "serve")) {
      int port = Integer.parseInt(serve.await("listening on 127\\.0\\.0\\.1:(\\d+)", JarProcess.START).group(1));

      Api api = new Api(port);
      assertEquals(200, api.send("GET", "/health/ready", Map.of(), null).status());
      assertEquals(200, api.get(Tokens.session(Tokens.newUserId())).status());

      // healthcheck reads PORT like serve; from a folder whose conf/config.json names this port.
      Path other = Files.createDirectories(folder.resolve("other/conf")).getParent();
      Files.writeString(other.resolve("conf/config.json"), "{\"PORT\": " + port + "}");
      Map<String, String> noPort = new HashMap<>();
      noPort.put("PORT", null);
      JarProcess.Finished check = JarProcess.run(JarProcess.serviceJar(), other, noPort, "healthcheck");
      assertEquals(0, check.status(), check.output());
    }
  }

  @Test
  void serveFirstSaysWhichBuildAndJavaItIsAndExportsTheSameAsBuildInfo(@TempDir Path folder) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "HOST", "127.0.0.1",
        "PORT", "0",
        "LOG_FORMAT", "json",
        "DATABASE_URL", TestDatabase.url(),
        "DB_CONNECT_TIMEOUT_MS", "10000",
        "CLERK_JWT_KEY", Tokens.ISSUER.publicKeyPem()));
    env.put("CLERK_ISSUER", LocalIssuer.ISSUER);
    env.put("CLERK_AUTHORIZED_PARTIES", LocalIssuer.AUTHORIZED_PARTY);
    env.put("MANAGEMENT_PORT", "0");
    String commit = git("rev-parse", "--short=12", "HEAD");

    try (JarProcess serve = JarProcess.start(JarProcess.serviceJar(), folder, env, "serve")) {
      int management = Integer.parseInt(serve.await(
          "listening on 127\\.0\\.0\\.1:\\d+ \\(management 127\\.0\\.0\\.1:(\\d+)\\)", JarProcess.START).group(1));
      JsonObject first = new JsonObject(serve.output().lines().findFirst().orElseThrow());
      String metrics = new Api(management).send("GET", "/metrics", Map.of(), null).text();

      assertEquals("meservice.Main", first.getString("logger"));
      assertTrue(first.getString("version").matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), first.encode());
      assertEquals(commit, first.getString("commit"));
      assertEquals(javaVersionOf(serve.pid()), first.getString("java_version"));
      assertEquals("me-service " + first.getString("version") + " (commit " + commit + ") on Java "
          + first.getString("java_version"), first.getString("message"));
      assertTrue(metrics.contains("me_service_build_info{commit=\"" + commit + "\",java_version=\""
          + first.getString("java_version") + "\",version=\"" + first.getString("version") + "\"} 1\n"), metrics);
    }
  }

  /** The version of the java that runs {@code pid}, asked of that very binary. */
  private static String javaVersionOf(long pid) throws Exception {
    String java = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElseThrow();
    Process process = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
    String settings = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return settings.lines().map(String::strip).filter(line -> line.startsWith("java.runtime.version = "))
        .map(line -> line.substring("java.runtime.version = ".length())).findFirst().orElseThrow(() -> new AssertionError(settings));
  }

  private static String git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, process.waitFor(), out);
    return out;
  }

  @Test
  void theProductionJarCarriesNeitherDevCodeNorPostgresAndStaysUnderTwentyMegabytes() throws IOException {
    Path jar = JarProcess.serviceJar();
    List<String> forbidden = List.of("meservice/dev/", "io/zonky/", "org/postgresql/", "postgres-");
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<String> found = zip.stream().map(ZipEntry::getName)
          .filter(name -> forbidden.stream().anyMatch(name::startsWith)).limit(10).toList();
      assertEquals(List.of(), found);
      assertTrue(zip.getEntry("conf/config.json") != null, "the defaults are inside the jar");
      assertTrue(zip.getEntry("meservice/Main.class") != null);
    }
    long size = Files.size(jar);
    assertTrue(size < 20_000_000, "production jar is " + size + " bytes");
  }

  @Test
  void theProductionJarShipsALogbackWithoutCve2025_11226() throws IOException {
    try (ZipFile zip = new ZipFile(JarProcess.serviceJar().toFile())) {
      for (String module : List.of("logback-classic", "logback-core")) {
        ZipEntry entry = zip.getEntry("META-INF/maven/ch.qos.logback/" + module + "/pom.properties");
        assertTrue(entry != null, module + " pom.properties in the jar");
        Properties properties = new Properties();
        properties.load(zip.getInputStream(entry));
        int[] version = Arrays.stream(properties.getProperty("version").split("[.-]")).limit(3)
            .mapToInt(Integer::parseInt).toArray();
        assertTrue(Arrays.compare(version, new int[] {1, 5, 19}) >= 0, module + " " + properties.getProperty("version"));
      }
    }
  }

  @Test
  void devWithoutTheDevJarBesideItSaysWhatIsMissing(@TempDir Path folder) throws IOException {
    Path alone = Files.copy(JarProcess.serviceJar(), folder.resolve("me-service.jar"));

    JarProcess.Finished dev = JarProcess.run(alone, folder, Map.of(), "dev");

    assertEquals(1, dev.status(), dev.output());
    assertTrue(dev.output().startsWith("me-service: dev needs " + folder.resolve("me-service-dev.jar")), dev.output());
    assertFalse(dev.output().contains("Exception"), dev.output());
    assertFalse(Files.exists(folder.resolve("data")), "nothing was started");
  }
}
