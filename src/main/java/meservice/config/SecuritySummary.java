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
    AppConfig.Clerk clerk = config.clerk();
    AppConfig.Limits limits = config.limits();
    return String.join(", ",
        "issuer " + (clerk.issuer() != null ? clerk.issuer() : "ANY (ALLOW_ANY_ISSUER=true)"),
        "authorized parties " + (clerk.authorizedParties().isEmpty()
            ? "ANY (ALLOW_ANY_AUTHORIZED_PARTY=true)" : String.join(" ", clerk.authorizedParties()))
            + (config.corsLoopbackAnyPort() ? " (CORS: also any loopback origin, dev)" : ""),
        "algorithms " + String.join(" ", clerk.algorithms()),
        "keys " + (clerk.jwtKey() != null ? "CLERK_JWT_KEY (PEM)"
            : clerk.jwks().url() != null ? "JWKS " + clerk.jwks().url() : "none"),
        "clock skew " + clerk.clockSkew().toSeconds() + " s",
        "trusted proxies " + (limits.trustedProxies().isEmpty() ? "none" : ranges(limits.trustedProxies())),
        "rate limit " + (limits.rate().perSecond() == 0 ? "off"
            : limits.rate().perSecond() + "/s burst " + limits.rate().burst() + " per principal"),
        "failed authentications " + (limits.authFailures().perSecond() == 0 ? "unlimited"
            : limits.authFailures().perSecond() + "/s burst " + limits.authFailures().burst() + " per client"),
        "body limit " + config.http().bodyLimitBytes() + " bytes");
  }

  private static String ranges(List<IpRange> ranges) {
    return ranges.stream().map(IpRange::toString).collect(Collectors.joining(" "));
  }
}
