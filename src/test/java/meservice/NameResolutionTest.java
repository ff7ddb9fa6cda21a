package meservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Security;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A database endpoint that moves in a failover is looked up again within seconds. */
@Tag("unit")
class NameResolutionTest {

  @Test
  void vertxKeepsAResolvedNameForAtMostFiveSeconds() {
    assertEquals(5, NameResolution.options().getCacheMaxTimeToLive());
  }

  @Test
  void theJvmCacheIsCappedUnlessTheOperatorChoseATtl() {
    String chosen = Security.getProperty("networkaddress.cache.ttl");
    NameResolution.capJvmCache();
    if (chosen == null && System.getProperty("sun.net.inetaddr.ttl") == null) {
      assertEquals("5", Security.getProperty("networkaddress.cache.ttl"));
    } else {
      assertEquals(chosen, Security.getProperty("networkaddress.cache.ttl"), "the operator's choice stands");
    }
    assertTrue(Integer.parseInt(Security.getProperty("networkaddress.cache.ttl")) <= 5 || chosen != null);
  }
}
