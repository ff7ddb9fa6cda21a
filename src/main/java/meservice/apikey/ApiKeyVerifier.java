package meservice.apikey;

import io.vertx.core.Future;
import java.util.HexFormat;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import meservice.identity.Principal;

/**
 * Turns a presented API key into a {@link Principal.ApiKey}. The key is looked up by the SHA-256
 * of all of it, in the cache and then in the database, so there is no stored secret to compare
 * and no partial match whose timing could tell "no such key" from "wrong secret".
 */
public final class ApiKeyVerifier {

  private final ApiKeyRepository repository;
  private final ApiKeyCache cache;
  private final LastUseRecorder lastUse;

  ApiKeyVerifier(ApiKeyRepository repository, ApiKeyCache cache, LastUseRecorder lastUse) {
    this.repository = repository;
    this.cache = cache;
    this.lastUse = lastUse;
  }

  public Future<Principal.ApiKey> verify(String key) {
    if (!ApiKeySecret.isWellFormed(key)) {
      return Future.failedFuture(AuthFailure.of(AuthFailureReason.API_KEY, "api key is malformed"));
    }
    byte[] hash = ApiKeySecret.hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    Principal.ApiKey cached = cache.get(cacheKey);
    if (cached != null) {
      lastUse.record(cached.keyId());
      return Future.succeededFuture(cached);
    }
    long ticket = cache.ticket();
    return repository.find(hash).compose(found -> {
      if (found == null) {
        return Future.failedFuture(AuthFailure.of(AuthFailureReason.API_KEY, "api key unknown"));
      }
      if (found.revoked()) {
        return Future.failedFuture(AuthFailure.of(AuthFailureReason.API_KEY, "api key " + found.principal().keyId() + " is revoked"));
      }
      cache.put(cacheKey, found.principal(), ticket);
      lastUse.record(found.principal().keyId());
      return Future.succeededFuture(found.principal());
    });
  }
}
