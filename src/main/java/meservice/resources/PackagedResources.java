package meservice.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Files the jar carries (default configuration, migrations, the OpenAPI document, the docs page):
 * read whole, once, at start-up. One missing is a broken build, not a condition to handle.
 */
public final class PackagedResources {

  private PackagedResources() {}

  public static byte[] bytes(String path) {
    try (InputStream in = PackagedResources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the jar (a broken build)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }
}
