package meservice.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defaults built into the jar, overridden by a conf/config.json in the working directory or
 * CONFIG_FILE and then by the environment; one clear line for a bad setting, or for settings
 * {@code serve} cannot start with. No database and no Vert.x: the loader reads names and values.
 */
@Tag("unit")
class ConfigLoaderTest {

  @Test
  void defaultsComeFromConfJson() {
    AppConfig config = ConfigLoader.load(Map.of());

    assertEquals("0.0.0.0", config.http().host());
    assertEquals(8080, config.http().port());
    assertEquals(Duration.ofSeconds(5), config.clerk().clockSkew());
    assertEquals(16384, config.http().bodyLimitBytes());
    assertEquals(List.of("RS256"), config.clerk().algorithms());
  }

  @Test
  void defaultsComeFromTheJarWhenTheWorkingDirectoryHasNoConf(@TempDir Path elsewhere) {
    AppConfig config = ConfigLoader.load(Map.of(), elsewhere);

    assertEquals(8080, config.http().port());
    assertEquals(16384, config.http().bodyLimitBytes());
    assertEquals(List.of("me:read", "me:write"), config.scopes().user());
  }

  @Test
  void confConfigJsonInTheWorkingDirectoryReplacesDefaultsKeyByKey(@TempDir Path folder) throws IOException {
    Files.createDirectories(folder.resolve("conf"));
    Files.writeString(folder.resolve("conf/config.json"), "{\"PORT\": 9191, \"user_scopes\": [\"me:read\"]}");

    AppConfig config = ConfigLoader.load(Map.of(), folder);

    assertEquals(9191, config.http().port());
    assertEquals(List.of("me:read"), config.scopes().user());
    assertEquals(16384, config.http().bodyLimitBytes(), "a key the file does not name keeps its default");
  }

  @Test
  void configFileReplacesTheWorkingDirectorysFileAndTheEnvironmentWinsOverBoth(@TempDir Path folder) throws IOException {
    Files.createDirectories(folder.resolve("conf"));
    Files.writeString(folder.resolve("conf/config.json"), "{\"PORT\": 9191}");
    Path other = Files.writeString(folder.resolve("other.json"), "{\"BODY_LIMIT_BYTES\": 1024, \"HOST\": \"127.0.0.1\"}");

    AppConfig config = ConfigLoader.load(Map.of("CONFIG_FILE", other.toString(), "HOST", "10.0.0.1"), folder);

    assertEquals(8080, config.http().port(), "conf/config.json is not read when CONFIG_FILE names another file");
    assertEquals(1024, config.http().bodyLimitBytes());
    assertEquals("10.0.0.1", config.http().host());
  }

  @Test
  void anUnreadableOrMalformedOverrideFileNamesItself(@TempDir Path folder) throws IOException {
    Path missing = folder.resolve("missing.json");
    assertEquals("CONFIG_FILE: cannot read " + missing.toAbsolutePath(),
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CONFIG_FILE", missing.toString()), folder)).getMessage());

    Files.createDirectories(folder.resolve("conf"));
    Files.writeString(folder.resolve("conf/config.json"), "[1, 2]");
    assertEquals("conf/config.json: " + folder.resolve("conf/config.json") + " is not a JSON object",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), folder)).getMessage());
  }

  @Test
  void shutdownTimingDefaultsToNoDelayAndTwentySecondsOfGrace() {
    AppConfig config = ConfigLoader.load(Map.of());

    assertEquals(Duration.ZERO, config.http().shutdown().delay());
    assertEquals(Duration.ofSeconds(20), config.http().shutdown().grace());
    assertEquals("SHUTDOWN_GRACE_SECONDS: 'soon' is not a whole number",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("SHUTDOWN_GRACE_SECONDS", "soon"))).getMessage());
  }

  @Test
  void poolingDefaultsToSessionsAndTransactionPoolingNeedsADirectUrl() {
    AppConfig.Database sessions = ConfigLoader.load(Map.of("DATABASE_URL", "postgresql://app@db/me")).database();
    assertEquals(false, sessions.pooling().transactionMode());
    assertEquals("postgresql://app@db/me", sessions.sessionUrl());

    AppConfig.Database transaction = ConfigLoader.load(Map.of("DATABASE_POOL_MODE", "transaction",
        "DATABASE_URL", "postgresql://app@pgbouncer:6432/me", "DATABASE_DIRECT_URL", "postgresql://app@db:5432/me")).database();
    assertEquals(true, transaction.pooling().transactionMode());
    assertEquals("postgresql://app@db:5432/me", transaction.sessionUrl());

    assertEquals("DATABASE_POOL_MODE: must be session or transaction",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DATABASE_POOL_MODE", "statement"))).getMessage());
    assertEquals("DATABASE_DIRECT_URL: must look like postgresql://user:pass@host:port/db",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DATABASE_DIRECT_URL", "db:5432"))).getMessage());
    assertEquals("DATABASE_DIRECT_URL: required when DATABASE_POOL_MODE=transaction (listening for api key "
            + "revocations needs a session: PostgreSQL itself or a session-mode pool)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DATABASE_POOL_MODE", "transaction"))).getMessage());
  }

  @Test
  void environmentOverridesTheFile() {
    AppConfig config = ConfigLoader.load(Map.of(
        "PORT", "9191", "BODY_LIMIT_BYTES", "1024", "CLERK_AUTHORIZED_PARTIES", "https://a.example, https://b.example"));

    assertEquals(9191, config.http().port());
    assertEquals(1024, config.http().bodyLimitBytes());
    assertEquals(List.of("https://a.example", "https://b.example"), config.clerk().authorizedParties());
  }

  @Test
  void malformedSettingNamesTheVariable() {
    assertEquals("PORT: 'eighty' is not a whole number",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("PORT", "eighty"))).getMessage());
    assertEquals("AUTH_CLOCK_SKEW_SECONDS: -1 is outside 0..3600",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("AUTH_CLOCK_SKEW_SECONDS", "-1"))).getMessage());
    assertEquals("DATABASE_URL: must look like postgresql://user:pass@host:port/db",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DATABASE_URL", "mysql://x"))).getMessage());
    assertEquals("CLERK_JWT_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CLERK_JWT_KEY", "secret"))).getMessage());
    assertEquals("CLERK_JWT_ALGORITHMS: allowed values are RS256, RS384, RS512",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CLERK_JWT_ALGORITHMS", "HS256"))).getMessage());
  }

  @Test
  void settingsWithADatabaseAKeyAndBothClaimChecksAreStartable() {
    assertDoesNotThrow(() -> ConfigLoader.load(TestConfig.envNamingADatabase()).requireStartable());
  }

  @Test
  void serveRefusesToStartWithoutADatabaseUrl() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("DATABASE_URL");

    ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(env).requireStartable());

    assertEquals("DATABASE_URL: missing (postgresql://user:pass@host:port/db)", error.getMessage());
  }

  @Test
  void serveRefusesToStartWithoutAKeySource() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("CLERK_JWT_KEY");

    ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(env).requireStartable());

    assertEquals("CLERK_JWKS_URL or CLERK_JWT_KEY: one is required to verify session tokens", error.getMessage());
  }

  @Test
  void serveRefusesToStartWithoutAnIssuerUnlessTheOperatorAllowsAnyIssuer() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("CLERK_ISSUER");

    ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(env).requireStartable());

    assertEquals("CLERK_ISSUER: missing: the Clerk instance's issuer (its Frontend API URL, https://clerk.example.com); "
        + "to accept tokens of any issuer the key signed, set ALLOW_ANY_ISSUER=true", error.getMessage());
    env.put("ALLOW_ANY_ISSUER", "true");
    assertDoesNotThrow(() -> ConfigLoader.load(env).requireStartable());
    env.put("ALLOW_ANY_ISSUER", "yes");
    assertEquals("ALLOW_ANY_ISSUER: must be true or false",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(env)).getMessage());
  }

  @Test
  void serveRefusesToStartWithoutAuthorizedPartiesUnlessTheOperatorAllowsAnyParty() {
    Map<String, String> env = TestConfig.envNamingADatabase();
    env.remove("CLERK_AUTHORIZED_PARTIES");

    ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(env).requireStartable());

    assertEquals("CLERK_AUTHORIZED_PARTIES: missing: the dashboard origins tokens are minted for "
        + "(https://dashboard.example.com); to accept tokens minted for any origin, set ALLOW_ANY_AUTHORIZED_PARTY=true",
        error.getMessage());
    env.put("ALLOW_ANY_AUTHORIZED_PARTY", "TRUE");
    assertDoesNotThrow(() -> ConfigLoader.load(env).requireStartable());
  }

  @Test
  void aMisspeltVariableOfTheServicesFamiliesStopsStartUpNamingTheSettingItMeant() {
    assertEquals("CLERK_AUTHORISED_PARTIES: not a setting of this service; did you mean CLERK_AUTHORIZED_PARTIES? "
            + "(unset it, or rename it)",
        assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Map.of("CLERK_AUTHORISED_PARTIES", "https://dashboard.example.com"))).getMessage());
    assertEquals("DB_POOLSIZE: not a setting of this service; did you mean DB_POOL_SIZE? (unset it, or rename it)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DB_POOLSIZE", "4"))).getMessage());
    assertEquals("TRUSTED_PROXY: not a setting of this service; did you mean TRUSTED_PROXIES? (unset it, or rename it)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("TRUSTED_PROXY", "10.0.0.0/8"))).getMessage());
    assertEquals("port: not a setting of this service; did you mean PORT? (unset it, or rename it)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("port", "80"))).getMessage());
    assertEquals("CLERK_SECRET_KEY: not a setting of this service (unset it, or rename it)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CLERK_SECRET_KEY", "sk_live_x"))).getMessage(),
        "a variable of our family that is no setting of ours: nothing near enough to suggest");
  }

  @Test
  void otherProgramsVariablesAreLeftAlone() {
    Map<String, String> env = new java.util.HashMap<>();
    for (String name : List.of("PATH", "HOME", "HOSTNAME", "USER", "LANG", "TERM", "PWD", "SHELL", "TZ", "JAVA_HOME",
        "JAVA_TOOL_OPTIONS", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "NO_PROXY", "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_PORT", "ME_SERVICE_PORT", "ME_API_KEY", "CONTAINER_NAME", "LOGNAME", "PORTAL_URL", "MAVEN_OPTS",
        "NODE_ENV", "CI", "GITHUB_ACTIONS", "RUNNER_TEMP", "AWS_REGION", "AWS_ACCESS_KEY_ID", "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE", "GOOGLE_APPLICATION_CREDENTIALS", "OTEL_EXPORTER_OTLP_ENDPOINT", "HOST_IP", "POD_NAME",
        "POD_NAMESPACE", "NODE_NAME", "SERVICE_NAME", "DEBIAN_FRONTEND", "OLDPWD", "SHLVL", "MAIL", "EDITOR")) {
      env.put(name, "x");
    }

    assertEquals(8080, ConfigLoader.load(env).http().port());
  }

  @Test
  void aKeyOfTheConfigFileThatIsNoSettingStopsStartUp(@TempDir Path folder) throws IOException {
    Path file = Files.writeString(folder.resolve("settings.json"), "{\"PORT\": 9191, \"LOG_LEVL\": \"DEBUG\"}");
    assertEquals("CONFIG_FILE (" + file + "): LOG_LEVL is not a setting; did you mean LOG_LEVEL?",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CONFIG_FILE", file.toString()), folder))
            .getMessage());

    Files.createDirectories(folder.resolve("conf"));
    Files.writeString(folder.resolve("conf/config.json"), "{\"role_scope\": {}}");
    assertEquals("conf/config.json: role_scope is not a setting; did you mean role_scopes?",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), folder)).getMessage());
  }

  @Test
  void logLevelsAreLogbacksNamesAndNothingElse() {
    assertEquals(new AppConfig.LogLevels("INFO", "INFO"), ConfigLoader.load(Map.of()).logging().levels());
    assertEquals(new AppConfig.LogLevels("DEBUG", "WARN"),
        ConfigLoader.load(Map.of("LOG_LEVEL", "debug", "LOG_ROOT_LEVEL", "WARN")).logging().levels());
    assertEquals("LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("LOG_LEVEL", "verbose"))).getMessage());
    assertEquals("LOG_ROOT_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("LOG_ROOT_LEVEL", "all"))).getMessage());
  }

  @Test
  void everySettingTheLoaderReadsIsDocumentedInTheReadmeAndEveryDefaultIsASetting() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (String name : ConfigLoader.knownNames()) {
      assertTrue(readme.contains("`" + name + "`"), name + " is read by the config loader but not in README.md");
    }
    io.vertx.core.json.JsonObject defaults = new io.vertx.core.json.JsonObject(
        Files.readString(Path.of("conf/config.json")));
    assertTrue(ConfigLoader.knownNames().containsAll(defaults.fieldNames()), defaults.fieldNames().toString());
  }

  @Test
  void jwksUrlMustBeHttpsUnlessItsHostIsLoopback() {
    String refusal = "CLERK_JWKS_URL: must be an https:// URL (http:// only for a loopback host: localhost, 127.0.0.0/8, ::1)";
    for (String url : List.of("http://clerk.example.com/.well-known/jwks.json", "http://10.0.0.7/jwks",
        "http://127.example.com/jwks", "http://localhost.example.com/jwks", "http://[::2]/jwks", "ftp://127.0.0.1/jwks")) {
      assertEquals(refusal,
          assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("CLERK_JWKS_URL", url))).getMessage(), url);
    }
    for (String url : List.of("https://clerk.example.com/.well-known/jwks.json", "http://127.0.0.1:8081/jwks",
        "http://127.3.2.1/jwks", "http://localhost:3000/jwks", "http://[::1]:8081/jwks", "HTTPS://clerk.example.com/jwks")) {
      assertEquals(url, ConfigLoader.load(Map.of("CLERK_JWKS_URL", url)).clerk().jwks().url());
    }
  }

  @Test
  void jwksKeysMayBeAnHourOldByDefaultAndNeverLessThanTheRefreshInterval() {
    assertEquals(Duration.ofSeconds(3600), ConfigLoader.load(Map.of()).clerk().jwks().maxStale());
    assertEquals("JWKS_MAX_STALE_SECONDS: 60 is less than JWKS_REFRESH_SECONDS (300): keys would be too old between "
            + "two refreshes",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("JWKS_MAX_STALE_SECONDS", "60"))).getMessage());
  }

  @Test
  void jwksIsRefreshedEveryFiveMinutesByDefault() {
    assertEquals(Duration.ofSeconds(300), ConfigLoader.load(Map.of()).clerk().jwks().refresh());
    assertEquals(Duration.ofSeconds(30), ConfigLoader.load(Map.of("JWKS_REFRESH_SECONDS", "30")).clerk().jwks().refresh());
    assertEquals("JWKS_REFRESH_SECONDS: 0 is outside 1..86400",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("JWKS_REFRESH_SECONDS", "0"))).getMessage());
  }
}
