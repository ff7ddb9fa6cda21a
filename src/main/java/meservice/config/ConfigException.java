package meservice.config;

/** A setting that is missing or malformed; its message is the one line an operator sees. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
