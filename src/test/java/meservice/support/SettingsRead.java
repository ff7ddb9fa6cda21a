package meservice.support;

import io.vertx.core.json.JsonArray;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import meservice.config.ConfigException;
import meservice.config.ConfigLoader;

/**
 * For checks from outside the JVM ({@code deploy/kubernetes/test}): loads the configuration from
 * this process's environment, exactly as {@code serve} does, and prints the names of the settings
 * the loader looked up, as a JSON array. A manifest's variable missing from that list is one the
 * service never reads (a typo, a removed setting). A value the loader refuses exits 2 with its
 * message, as {@code serve} would.
 *
 * <p>{@code java -cp target/test-classes:target/me-service.jar meservice.support.SettingsRead}
 */
public final class SettingsRead {

  private SettingsRead() {}

  public static void main(String[] args) {
    Set<String> read = new TreeSet<>();
    HashMap<String, String> env = new HashMap<>(System.getenv()) {
      @Override
      public String get(Object name) {
        read.add((String) name);
        return super.get(name);
      }
    };
    try {
      ConfigLoader.load(env);
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
    }
    System.out.println(new JsonArray(read.stream().toList()).encode());
  }
}
