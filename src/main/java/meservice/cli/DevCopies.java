package meservice.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code dev} runs from private copies of {@code me-service.jar} and {@code me-service-dev.jar}.
 * A JVM reads classes and resources from its jars for as long as it runs, and {@code mvn package}
 * rewrites both in place while a developer's {@code dev} is up (the jar plugin truncates the last
 * build's jar before the shade plugin moves it aside): {@code dev} would then load classes from a
 * jar that is no longer the one it started with, stop answering, and fail its shutdown with
 * {@code NoClassDefFoundError}. So the {@code dev} command copies both jars to a folder of its own
 * ({@code me-service-dev-<pid>} in the temporary directory) and runs {@code Main} again from the
 * copies, in a class loader of their own; the copies are deleted when {@code dev} has stopped, and
 * a folder left by a {@code dev} that was killed is deleted by the next one.
 */
public final class DevCopies {

  private static final String LOADER = "me-service dev copies";
  private static final String FOLDER_PREFIX = "me-service-dev-";

  private DevCopies() {}

  /**
   * Runs {@code Main.main(args)} from copies of the jars and returns true, unless this code already
   * runs from them, or runs from a folder of classes rather than a jar (the tests, an IDE), or has
   * no dev jar beside it (then {@link DevMode#start} says so): then false, and the caller goes on.
   */
  public static boolean run(String[] args) throws Exception {
    Path self = runningJar();
    if (self == null || LOADER.equals(DevCopies.class.getClassLoader().getName())) {
      return false;
    }
    Path devJar = self.resolveSibling(DevMode.DEV_JAR);
    if (!Files.isRegularFile(devJar)) {
      return false;
    }
    Path temp = Path.of(System.getProperty("java.io.tmpdir"));
    deleteLeftovers(temp);
    Path folder = Files.createDirectories(temp.resolve(FOLDER_PREFIX + ProcessHandle.current().pid()));
    URL[] copies = {
        Files.copy(self, folder.resolve(self.getFileName())).toUri().toURL(),
        Files.copy(devJar, folder.resolve(DevMode.DEV_JAR)).toUri().toURL()};
    // Never closed: the service's classes are used until the JVM exits.
    ClassLoader loader = new URLClassLoader(LOADER, copies, ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    try {
      loader.loadClass("meservice.Main").getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    return true;
  }

  /** Called by {@code dev} last, once the service and PostgreSQL have stopped: its own copies go. */
  public static void deleteOwn() {
    Path self = runningJar();
    if (self != null && LOADER.equals(DevCopies.class.getClassLoader().getName())) {
      delete(self.getParent());
    }
  }

  /** Folders of copies whose {@code dev} is gone (killed, so it could not delete them). */
  private static void deleteLeftovers(Path temp) throws IOException {
    try (Stream<Path> folders = Files.list(temp)) {
      folders.filter(folder -> folder.getFileName().toString().startsWith(FOLDER_PREFIX))
          .filter(folder -> !alive(folder.getFileName().toString().substring(FOLDER_PREFIX.length())))
          .forEach(DevCopies::delete);
    }
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static void delete(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Another user's folder, or a file still open on a system that keeps it: left for later.
    }
  }

  /** The jar this class was loaded from; {@code null} when it came from a folder of classes. */
  private static Path runningJar() {
    try {
      Path source = Path.of(DevCopies.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(source) ? source : null;
    } catch (Exception e) {
      return null;
    }
  }
}
