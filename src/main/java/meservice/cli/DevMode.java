package meservice.cli;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code dev} puts around the service: an embedded PostgreSQL under {@code ./data} and a
 * local token issuer. Implemented in {@code src/dev/java}, which ships as its own jar
 * ({@code me-service-dev.jar}, with the PostgreSQL binaries); the production jar carries neither,
 * and only the {@code dev} command ever loads it.
 */
public interface DevMode extends AutoCloseable {

  /** The class in the dev jar that starts dev mode; it implements {@link Starter}. */
  String STARTER = "meservice.dev.DevEnvironment$Starter";
  String DEV_JAR = "me-service-dev.jar";

  /** Settings that replace the operator's: listen address, database URL, token key source. */
  Map<String, String> settings();

  /** What to print once the service listens on {@code port} (and {@code /metrics} on {@code managementPort}). */
  String instructions(int port, int managementPort);

  /** Stops the embedded database; runs after the service has stopped. */
  @Override
  void close();

  /** Starts dev mode's database and issuer, keeping their state under {@code dataDirectory}. */
  interface Starter {
    DevMode start(Map<String, String> env, Path dataDirectory) throws Exception;

    /**
     * {@code dev token [--user ID] [--org ID | --no-org] [--role ROLE] [--ttl SECONDS]}: a session
     * token of the local issuer whose key is under {@code dataDirectory}, for another user,
     * organization or role than the one {@code dev} prints. {@code args} are those after
     * {@code token}; a usage error is a {@link CommandException}.
     */
    String token(Path dataDirectory, List<String> args) throws Exception;
  }

  /**
   * Dev mode from this class path (the tests, an IDE) or else from {@code me-service-dev.jar}
   * beside the running jar, as {@code mvn package} leaves them in {@code target/}.
   */
  static DevMode start(Map<String, String> env, Path dataDirectory) throws Exception {
    return starter().start(env, dataDirectory);
  }

  /** See {@link Starter#token}. */
  static String token(Path dataDirectory, List<String> args) throws Exception {
    return starter().token(dataDirectory, args);
  }

  private static Starter starter() throws Exception {
    ClassLoader loader = DevMode.class.getClassLoader();
    if (loader.getResource(STARTER.replace('.', '/') + ".class") == null) {
      Path devJar = besideThisJar();
      if (!Files.isRegularFile(devJar)) {
        throw new CommandException("dev needs " + devJar + " (the embedded PostgreSQL and local issuer; "
            + "`mvn -B -ntp -q package -DskipTests` builds it next to me-service.jar). "
            + "The production jar runs `serve` only.");
      }
      // Never closed: dev's classes are used until the JVM exits.
      loader = new URLClassLoader(new URL[] {devJar.toUri().toURL()}, loader);
    }
    return loader.loadClass(STARTER).asSubclass(Starter.class).getConstructor().newInstance();
  }

  private static Path besideThisJar() throws Exception {
    Path self = Path.of(DevMode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return self.toAbsolutePath().resolveSibling(DEV_JAR);
  }
}
