package meservice.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the service reads from {@code conf/config.json} and the environment, already
 * checked, grouped by the part of the service that uses it: code that receives an
 * {@code AppConfig} never validates a setting again. Each group is built by the
 * {@link ConfigLoader} method of its name, beside the setting names it reads.
 *
 * <p>{@code corsLoopbackAnyPort} is the one part that is no setting: true only when the {@code dev}
 * command loaded it ({@link ConfigLoader#loadForDev}), so CORS also answers any loopback origin;
 * no variable or config key can turn it on for {@code serve}.
 */
public record AppConfig(Http http, Database database, Clerk clerk, Scopes scopes, Limits limits, Logging logging,
    ApiKeySettings apiKeys, Cache userCache, boolean corsLoopbackAnyPort) {

  /** What {@code serve} needs beyond valid settings: a database, a key, each claim check or its opt-out. */
  public void requireStartable() {
    database.requireUrl();
    if (clerk.jwks().url() == null && clerk.jwtKey() == null) {
      throw new ConfigException("CLERK_JWKS_URL or CLERK_JWT_KEY: one is required to verify session tokens");
    }
    // Without them any token the key signed would do, whoever it was minted for: fail closed.
    if (clerk.issuer() == null && !clerk.anyIssuer()) {
      throw new ConfigException("CLERK_ISSUER: missing: the Clerk instance's issuer (its Frontend API URL, "
          + "https://clerk.example.com); to accept tokens of any issuer the key signed, set ALLOW_ANY_ISSUER=true");
    }
    if (clerk.authorizedParties().isEmpty() && !clerk.anyAuthorizedParty()) {
      throw new ConfigException("CLERK_AUTHORIZED_PARTIES: missing: the dashboard origins tokens are minted for "
          + "(https://dashboard.example.com); to accept tokens minted for any origin, set ALLOW_ANY_AUTHORIZED_PARTY=true");
    }
  }

  /** The API's listener, its idle timeout and body limit; the management listener; the drain at shutdown. */
  public record Http(String host, int port, Duration idleTimeout, int bodyLimitBytes, Management management,
      Shutdown shutdown) {}

  /**
   * Where {@code /metrics} and a copy of the probes are served: a listener apart from the API's,
   * so a scrape is never reachable wherever the API is.
   */
  public record Management(String host, int port) {}

  /** {@code SHUTDOWN_DELAY_SECONDS} before the listeners stop accepting, then {@code SHUTDOWN_GRACE_SECONDS} to drain. */
  public record Shutdown(Duration delay, Duration grace) {}

  /**
   * PostgreSQL ({@code url} {@code null}: unset), the write pool's size, and where the pipelined
   * read connections read: {@code readUrl} ({@code DATABASE_READ_URL}, optional), a standby.
   */
  public record Database(String url, int poolSize, String readUrl, int readConnections, DatabaseLimits limits,
      DatabasePooling pooling) {
    /** Commands that use the database stop here without {@code DATABASE_URL}. */
    public void requireUrl() {
      if (url == null) {
        throw new ConfigException("DATABASE_URL: missing (postgresql://user:pass@host:port/db)");
      }
    }

    /** Where a connection that must stay one PostgreSQL session connects. */
    public String sessionUrl() {
      return pooling.directUrl() != null ? pooling.directUrl() : url;
    }
  }

  /**
   * How long and how many requests may wait for the database before a 503: the wait for a connection
   * (connecting included), the pool's wait queue, the server-side statement timeout ({@code 0}: none).
   */
  public record DatabaseLimits(Duration connectTimeout, int maxWaitQueue, Duration statementTimeout) {}

  /**
   * {@code transactionMode}: {@code DATABASE_URL} is a pooler that lends a server connection per
   * transaction (PgBouncer {@code pool_mode=transaction}); {@code directUrl} ({@code DATABASE_DIRECT_URL},
   * required then) is a real session, for what needs one: LISTEN for API-key revocations.
   */
  public record DatabasePooling(boolean transactionMode, String directUrl) {}

  /**
   * How Clerk's session tokens are verified; keys: a PEM {@code jwtKey}, else the {@code jwks}.
   * {@code anyIssuer} ({@code ALLOW_ANY_ISSUER}) and {@code anyAuthorizedParty} are the operator's
   * consent to {@code serve} without that check ({@link #requireStartable}); a value set is checked.
   */
  public record Clerk(String issuer, boolean anyIssuer, List<String> authorizedParties, boolean anyAuthorizedParty,
      List<String> algorithms, Duration clockSkew, String jwtKey, Jwks jwks) {}

  /** {@code CLERK_JWKS_URL} and how often its keys are fetched, and how old they may get. */
  public record Jwks(String url, Duration minRefetch, Duration refresh, Duration maxStale) {}

  /** The scopes a session token carries: every user's, and those of each organization role. */
  public record Scopes(List<String> user, Map<String, List<String>> roles) {}

  /** Requests per principal, failed authentications per client address, proxies trusted to name that address. */
  public record Limits(RateLimit rate, AuthFailureLimits authFailures, List<IpRange> trustedProxies) {}

  /** {@code perSecond} regained up to {@code burst}; {@code perSecond} 0: no limit. */
  public record RateLimit(int perSecond, int burst) {}

  /**
   * Failed authentications allowed per client address: {@code perSecond} regained up to
   * {@code burst} ({@code perSecond} 0: no limit), for at most {@code maxAddresses} addresses at once.
   */
  public record AuthFailureLimits(int perSecond, int burst, int maxAddresses) {}

  /** {@code LOG_FORMAT} ({@code null}: the command's own) and the levels. */
  public record Logging(String format, LogLevels levels) {}

  /** {@code LOG_LEVEL} (the service's own loggers) and {@code LOG_ROOT_LEVEL} (everything else): logback level names. */
  public record LogLevels(String service, String root) {}

  /** How verified API keys are cached and how often their last use is written. */
  public record ApiKeySettings(Cache cache, Duration lastUsedFlush) {}

  /** At most {@code size} entries ({@code 0}: off), each dropped {@code ttl} after it was cached whatever the change channel says. */
  public record Cache(int size, Duration ttl) {}
}
