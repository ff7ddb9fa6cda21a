package meservice;

import io.vertx.core.dns.AddressResolverOptions;
import java.security.Security;

/**
 * How long a resolved name is trusted. Over a failover a managed database's endpoint (RDS, Cloud
 * SQL, Aurora's writer) or a Patroni cluster's DNS name moves to the new primary; an answer cached
 * past that keeps new connections going to the old server, which is down or now a standby. Vert.x
 * resolves the database's host itself and keeps an answer for its DNS TTL, however long; the JVM's
 * own cache (used by anything that calls {@code InetAddress}) keeps one for 30 s by default. Both
 * are capped at {@link #MAX_TTL_SECONDS}: a lookup every few seconds per name costs nothing.
 */
final class NameResolution {

  static final int MAX_TTL_SECONDS = 5;
  private static final String JVM_TTL = "networkaddress.cache.ttl";
  private static final String JVM_TTL_PROPERTY = "sun.net.inetaddr.ttl";

  private NameResolution() {}

  /** Vert.x's resolver: an answer is kept for its TTL, at most {@link #MAX_TTL_SECONDS}. */
  static AddressResolverOptions options() {
    return new AddressResolverOptions().setCacheMaxTimeToLive(MAX_TTL_SECONDS);
  }

  /**
   * The JVM's cache, unless the operator chose a TTL (in {@code java.security}, or with
   * {@code -Dsun.net.inetaddr.ttl}). Before anything is resolved: the JVM reads it once.
   */
  static void capJvmCache() {
    if (Security.getProperty(JVM_TTL) == null && System.getProperty(JVM_TTL_PROPERTY) == null) {
      Security.setProperty(JVM_TTL, Integer.toString(MAX_TTL_SECONDS));
    }
  }
}
