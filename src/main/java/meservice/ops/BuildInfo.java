package meservice.ops;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Properties;
import meservice.resources.PackagedResources;

/**
 * What is running: the build's version and git commit ({@code unknown} when built outside a git
 * checkout) and the Java runtime under it. Logged once at start-up and exported as
 * {@code me_service_build_info}, so a log search or a dashboard tells which build answered.
 */
public record BuildInfo(String version, String commit, String javaVersion) {

  private static final String RESOURCE = "/meservice/build-info.properties";

  /** This jar's build, read from the properties the build filled in. */
  public static BuildInfo current() {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(PackagedResources.text(RESOURCE)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BuildInfo(properties.getProperty("version"), properties.getProperty("commit"),
        Runtime.version().toString());
  }
}
