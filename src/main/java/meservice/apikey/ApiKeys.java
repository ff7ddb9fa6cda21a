package meservice.apikey;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import meservice.config.AppConfig;
import meservice.db.ChangeListener;
import meservice.db.Database;
import meservice.db.PrimaryOnly;
import meservice.db.WritePool;

/**
 * API-key authentication of one running instance: the verifier every event loop shares, its
 * cache, the revocation channel that keeps the cache honest, the periodic last-use flush, and
 * the connection keys are looked up on (never the write pool's, never a GET's).
 */
public final class ApiKeys {

  private final Vertx vertx;
  private final ApiKeyVerifier verifier;
  private final LastUseRecorder lastUse;
  private final SqlClient lookups;
  private final long flushMillis;
  private long flushTimer = -1;

  private ApiKeys(Vertx vertx, WritePool pool, AppConfig config, PrimaryOnly primary, ChangeListener listener) {
    AppConfig.ApiKeySettings settings = config.apiKeys();
    this.lookups = Database.apiKeyLookups(vertx, config.database(), primary);
    ApiKeyRepository repository = ApiKeyRepository.create(pool, lookups);
    ApiKeyCache cache = new ApiKeyCache(settings.cache().size(), settings.cache().ttl());
    listener.add(new Revocations(cache));
    this.vertx = vertx;
    this.lastUse = new LastUseRecorder(repository);
    this.verifier = new ApiKeyVerifier(repository, cache, lastUse);
    this.flushMillis = settings.lastUsedFlush().toMillis();
  }

  /**
   * Keys are looked up on a connection of their own ({@link Database#apiKeyLookups}); last uses
   * are written on {@code pool}; revocations are heard on {@code listener}'s connection.
   */
  public static ApiKeys create(Vertx vertx, WritePool pool, AppConfig config, PrimaryOnly primary,
      ChangeListener listener) {
    return new ApiKeys(vertx, pool, config, primary, listener);
  }

  public ApiKeyVerifier verifier() {
    return verifier;
  }

  /** Call after migrations: starts the last-use flush. */
  public void start() {
    flushTimer = vertx.setPeriodic(flushMillis, id -> lastUse.flushIfIdle());
  }

  /** Writes the last uses still in memory (while the pool is open). */
  public Future<Void> stop() {
    vertx.cancelTimer(flushTimer);
    return lastUse.flush()
        .recover(err -> Future.succeededFuture())
        .eventually(() -> Database.close(lookups));
  }
}
