package meservice;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import meservice.config.AppConfig;

/**
 * The one line a command prints when it cannot start or run, naming the cause in the operator's
 * terms (the setting to change, the address it points at) instead of an exception's class. The
 * database is named by host and port only: {@code DATABASE_URL} carries the password.
 */
final class StartupFailure {

  private StartupFailure() {}

  static String describe(Throwable failure, AppConfig config) {
    Throwable cause = unwrap(failure);
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (message.contains("MANAGEMENT_PORT")) {
        return message;
      }
      if (t instanceof BindException || message.contains("Address already in use")) {
        return "cannot listen on " + (config == null ? "PORT" : config.http().host() + ":" + config.http().port())
            + ": the port is already in use; stop what holds it, or set PORT= to another port";
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return "cannot connect to PostgreSQL at " + database(config) + " (DATABASE_URL): "
            + (message.contains("refused") ? "connection refused; is PostgreSQL running there?" : message);
      }
      if (t instanceof UnknownHostException) {
        return "cannot connect to PostgreSQL at " + database(config) + " (DATABASE_URL): unknown host";
      }
      // The pool's own timeout has no type, only its message ("Timeout", "Timeout waiting for connection").
      if (t instanceof ConnectTimeoutException
          || (t instanceof VertxException && message.toLowerCase(Locale.ROOT).startsWith("timeout"))) {
        return "cannot connect to PostgreSQL at " + database(config) + " (DATABASE_URL): no connection within "
            + (config == null ? "" : config.database().limits().connectTimeout().toMillis() + " ms, ") + "DB_CONNECT_TIMEOUT_MS";
      }
      if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("28")) {
        return "PostgreSQL at " + database(config) + " refused the user or password of DATABASE_URL ("
            + pg.getSqlState() + ")";
      }
      if (t instanceof PgException pg && "3D000".equals(pg.getSqlState())) {
        return "PostgreSQL at " + database(config) + ": the database of DATABASE_URL does not exist";
      }
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** The failure itself, not the future or executor that carried it. */
  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** {@code host:port} of {@code DATABASE_URL}, never its user or password. */
  private static String database(AppConfig config) {
    if (config == null || config.database().url() == null) {
      return "DATABASE_URL";
    }
    try {
      PgConnectOptions options = PgConnectOptions.fromUri(config.database().url());
      return options.getHost() + ":" + options.getPort();
    } catch (RuntimeException e) {
      return "the host of DATABASE_URL";
    }
  }
}
