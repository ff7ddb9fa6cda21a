package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import meservice.identity.Ids;
import meservice.identity.Principal;
import meservice.support.Tokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The verified-token cache on its own: time window, key sets, bound. */
@Tag("unit")
@ExtendWith(VertxExtension.class)
class VerifiedTokensTest {

  private static final long NOW = 1_800_000_000L;

  private SigningKeys keys;
  private SigningKeys rotated;

  @BeforeEach
  void keys(Vertx vertx) {
    keys = SigningKeys.fromPem(vertx, Tokens.ISSUER.publicKeyPem(), List.of("RS256"));
    rotated = SigningKeys.fromPem(vertx, Tokens.STRANGER.publicKeyPem(), List.of("RS256"));
  }

  @Test
  void hitIsTheRememberedPrincipal() {
    VerifiedTokens cache = new VerifiedTokens(10, 0);
    Principal.ClerkUser user = user("user_a");
    cache.put(VerifiedTokens.key("token-a"), entry(user, NOW + 60, keys), keys);

    assertSame(user, cache.get(VerifiedTokens.key("token-a"), keys, NOW));
    assertNull(cache.get(VerifiedTokens.key("token-b"), keys, NOW));
  }

  @Test
  void expiryIsCheckedOnEveryHitWithTheSkew() {
    VerifiedTokens cache = new VerifiedTokens(10, 5);
    cache.put(VerifiedTokens.key("t"), entry(user("user_a"), NOW + 60, keys), keys);

    assertNotNull(cache.get(VerifiedTokens.key("t"), keys, NOW + 64));
    assertNull(cache.get(VerifiedTokens.key("t"), keys, NOW + 65));
  }

  @Test
  void anEntryFoundExpiredIsDropped() {
    VerifiedTokens cache = new VerifiedTokens(10, 5);
    cache.put(VerifiedTokens.key("t"), entry(user("user_a"), NOW + 60, keys), keys);

    cache.get(VerifiedTokens.key("t"), keys, NOW + 65);

    assertEquals(0, cache.size());
  }

  @Test
  void notBeforeIsCheckedOnEveryHitWithTheSkew() {
    VerifiedTokens cache = new VerifiedTokens(10, 5);
    Principal.ClerkUser user = user("user_a");
    cache.put(VerifiedTokens.key("t"), new VerifiedTokens.Entry(user, NOW + 60, NOW + 10, keys), keys);

    assertNull(cache.get(VerifiedTokens.key("t"), keys, NOW + 4));
  }

  @Test
  void newSigningKeysEmptyTheCache() {
    VerifiedTokens cache = new VerifiedTokens(10, 0);
    cache.put(VerifiedTokens.key("t"), entry(user("user_a"), NOW + 60, keys), keys);

    assertNull(cache.get(VerifiedTokens.key("t"), rotated, NOW));
    assertTrue(cache.size() == 0, "entries of the old key set are dropped");
    assertNull(cache.get(VerifiedTokens.key("t"), keys, NOW), "and do not come back");
  }

  @Test
  void tokenVerifiedUnderKeysReplacedMeanwhileIsNotRemembered() {
    VerifiedTokens cache = new VerifiedTokens(10, 0);

    cache.put(VerifiedTokens.key("t"), entry(user("user_a"), NOW + 60, keys), rotated);

    assertNull(cache.get(VerifiedTokens.key("t"), keys, NOW));
  }

  @Test
  void sizeStaysWithinTheBound() {
    VerifiedTokens cache = new VerifiedTokens(100, 0);
    for (int i = 0; i < 1_000; i++) {
      cache.put(VerifiedTokens.key("token-" + i), entry(user("user_" + i), NOW + 60, keys), keys);
    }

    assertTrue(cache.size() <= 100, "size " + cache.size());
    assertNotNull(cache.get(VerifiedTokens.key("token-999"), keys, NOW), "the newest entry is kept");
  }

  private static VerifiedTokens.Entry entry(Principal.ClerkUser user, long exp, SigningKeys keys) {
    return new VerifiedTokens.Entry(user, exp, Long.MIN_VALUE, keys);
  }

  private static Principal.ClerkUser user(String sub) {
    return new Principal.ClerkUser(sub, Ids.userId(sub), null, List.of("me:read", "me:write"));
  }
}
