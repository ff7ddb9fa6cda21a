package meservice.apikey;

import java.util.UUID;
import meservice.db.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revocation channel ({@link ApiKeySql#API_KEY_REVOKED_CHANNEL}): each revoked key's id, announced
 * by {@code apikey revoke} in the transaction that revokes it, is evicted from this instance's
 * {@link ApiKeyCache}.
 */
final class Revocations implements ChangeListener.Channel {

  private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);

  private final ApiKeyCache cache;

  Revocations(ApiKeyCache cache) {
    this.cache = cache;
  }

  @Override
  public String name() {
    return ApiKeySql.API_KEY_REVOKED_CHANNEL;
  }

  @Override
  public void reset(long era) {
    cache.forgetAll(era);
  }

  @Override
  public void confirmed(long era, long sentAt) {
    cache.confirm(era, sentAt);
  }

  @Override
  public void notified(String payload) {
    UUID keyId;
    try {
      keyId = UUID.fromString(payload);
    } catch (IllegalArgumentException e) {
      LOG.warn("unreadable api key revocation '{}'; emptying the api key cache", payload);
      cache.evictAll();
      return;
    }
    cache.evict(keyId);
    LOG.info("api key {} revoked; evicted from the cache", keyId);
  }
}
