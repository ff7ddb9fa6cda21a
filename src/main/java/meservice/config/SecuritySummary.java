package meservice.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The security settings in effect, for the start-up line: what an operator checks first when
 * tokens are refused or accepted unexpectedly. Never a secret: the key source is named by its
 * kind (and a JWKS by its public URL), never the database URL.
 */
public final class SecuritySummary {

  private SecuritySummary() {}

  public static String of(AppConfig config) {
    return String.join(", ",
        "issuer " + (config.clerkIssuer() != null ? config.clerkIssuer() : "ANY (ALLOW_ANY_ISSUER=true)"),
        "authorized parties " + (config.authorizedParties().isEmpty()
            ? "ANY (ALLOW_ANY_AUTHORIZED_PARTY=true)" : String.join(" ", config.authorizedParties()))
            + (config.corsLoopbackAnyPort() ? " (CORS: also any loopback origin, dev)" : ""),
        "algorithms " + String.join(" ", config.jwtAlgorithms()),
        "keys " + (config.clerkJwtKey() != null ? "CLERK_JWT_KEY (PEM)"
            : config.clerkJwksUrl() != null ? "JWKS " + config.clerkJwksUrl() : "none"),
        "clock skew " + config.clockSkewSeconds() + " s",
        "trusted proxies " + (config.trustedProxies().isEmpty() ? "none" : ranges(config.trustedProxies())),
        "rate limit " + (config.rateLimitPerSecond() == 0 ? "off"
            : config.rateLimitPerSecond() + "/s burst " + config.rateLimitBurst() + " per principal"),
        "failed authentications " + (config.authFailures().perSecond() == 0 ? "unlimited"
            : config.authFailures().perSecond() + "/s burst " + config.authFailures().burst() + " per client"),
        "body limit " + config.bodyLimitBytes() + " bytes");
  }

  private static String ranges(List<IpRange> ranges) {
    return ranges.stream().map(IpRange::toString).collect(Collectors.joining(" "));
  }
}
