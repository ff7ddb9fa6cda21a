package meservice.config;

import java.util.List;
import java.util.Map;

/**
 * Everything the service reads from {@code conf/config.json} and the environment, already
 * checked: code that receives an {@code AppConfig} never validates a setting again.
 *
 * <p>{@code corsLoopbackAnyPort} is the one part that is no setting: true only when the {@code dev}
 * command loaded it ({@link ConfigLoader#loadForDev}), so CORS also answers any loopback origin;
 * no variable or config key can turn it on for {@code serve}.
 */
public record AppConfig(
    String host,
    int port,
    String databaseUrl,
    int dbPoolSize,
    int dbReadConnections,
    String clerkJwksUrl,
    String clerkJwtKey,
    String clerkIssuer,
    List<String> authorizedParties,
    List<String> jwtAlgorithms,
    int clockSkewSeconds,
    int jwksMinRefetchSeconds,
    int jwksRefreshSeconds,
    int bodyLimitBytes,
    String logFormat,
    List<String> userScopes,
    Map<String, List<String>> roleScopes,
    int shutdownDelaySeconds,
    int shutdownGraceSeconds,
    int httpIdleTimeoutSeconds,
    int rateLimitPerSecond,
    int rateLimitBurst,
    AuthFailureLimits authFailures,
    List<IpRange> trustedProxies,
    ApiKeySettings apiKeys,
    UserCacheSettings userCache,
    DatabaseLimits dbLimits,
    DatabasePooling dbPooling,
    LogLevels logLevels,
    ClaimCheckOptOuts claimCheckOptOuts,
    Management management,
    int jwksMaxStaleSeconds,
    boolean corsLoopbackAnyPort) {

  /**
   * Failed authentications allowed per client address: {@code perSecond} regained up to
   * {@code burst} ({@code perSecond} 0: no limit), for at most {@code maxAddresses} addresses at once.
   */
  public record AuthFailureLimits(int perSecond, int burst, int maxAddresses) {}

  /**
   * This instance's cache of user rows: at most {@code size} users ({@code 0}: off), each row
   * dropped {@code ttlSeconds} after it was installed whatever the change channel says.
   */
  public record UserCacheSettings(int size, int ttlSeconds) {}

  /** How verified API keys are cached and how often their last use is written. */
  public record ApiKeySettings(int cacheSize, int cacheTtlSeconds, int lastUsedFlushSeconds) {}

  /**
   * How long and how many requests may wait for the database before they are answered 503: the
   * pool's wait queue, the wait for a connection (connecting included), and the server-side
   * statement timeout ({@code 0}: none).
   */
  public record DatabaseLimits(int maxWaitQueue, int connectTimeoutMillis, int statementTimeoutMillis) {}

  /** {@code LOG_LEVEL} (the service's own loggers) and {@code LOG_ROOT_LEVEL} (everything else): logback level names. */
  public record LogLevels(String service, String root) {}

  /**
   * The operator's explicit consent to run {@code serve} without an issuer check
   * ({@code ALLOW_ANY_ISSUER=true}) or without an authorized-party check
   * ({@code ALLOW_ANY_AUTHORIZED_PARTY=true}): without it, a missing {@code CLERK_ISSUER} or
   * {@code CLERK_AUTHORIZED_PARTIES} stops start-up. A value that is set is checked either way.
   */
  public record ClaimCheckOptOuts(boolean anyIssuer, boolean anyAuthorizedParty) {}

  /**
   * Where {@code /metrics} is served, with a copy of the probes ({@code MANAGEMENT_HOST},
   * {@code MANAGEMENT_PORT}): a listener apart from the API's, so a scrape is never reachable
   * wherever the API is.
   */
  public record Management(String host, int port) {}

  /**
   * What sits between the service and PostgreSQL. {@code transactionMode}: {@code DATABASE_URL}
   * is a pooler that lends a server connection per transaction (PgBouncer
   * {@code pool_mode=transaction}); {@code directUrl} ({@code DATABASE_DIRECT_URL}, required then)
   * is a real session, for what needs one: LISTEN for API-key revocations. {@code readUrl}
   * ({@code DATABASE_READ_URL}, optional): a standby (or a reader endpoint) that GETs read from,
   * falling back to {@code DATABASE_URL}.
   */
  public record DatabasePooling(boolean transactionMode, String directUrl, String readUrl) {
    /** Where a connection that must stay one PostgreSQL session connects. */
    public String sessionUrl(String databaseUrl) {
      return directUrl != null ? directUrl : databaseUrl;
    }
  }
}
