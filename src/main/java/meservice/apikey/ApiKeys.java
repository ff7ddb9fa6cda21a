package meservice.apikey;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.PrimaryOnly;
import meservice.db.WritePool;

/**
 * API-key authentication of one running instance: the verifier every event loop shares, its
 * cache, the revocation listener that keeps the cache honest, the periodic last-use flush, and
 * the connection keys are looked up on (never the write pool's, never a GET's).
 */
public final class ApiKeys {

  private final Vertx vertx;
  private final ApiKeyVerifier verifier;
  private final RevocationListener revocations;
  private final LastUseRecorder lastUse;
  private final SqlClient lookups;
  private final long flushMillis;
  private long flushTimer = -1;

  private ApiKeys(Vertx vertx, WritePool pool, AppConfig config, PrimaryOnly primary) {
    AppConfig.ApiKeySettings settings = config.apiKeys();
    this.lookups = Database.apiKeyLookups(vertx, config, primary);
    ApiKeyRepository repository = ApiKeyRepository.create(pool, lookups);
    ApiKeyCache cache = new ApiKeyCache(settings.cacheSize(), Duration.ofSeconds(settings.cacheTtlSeconds()));
    this.vertx = vertx;
    this.lastUse = new LastUseRecorder(repository);
    this.verifier = new ApiKeyVerifier(repository, cache, lastUse);
    this.revocations = new RevocationListener(vertx,
        Database.connectOptions(config.dbPooling().sessionUrl(config.databaseUrl())).addProperty("application_name", RevocationListener.APPLICATION_NAME),
        config.dbLimits(), cache, primary);
    this.flushMillis = settings.lastUsedFlushSeconds() * 1000L;
  }

  /** Keys are looked up on a connection of their own ({@link Database#apiKeyLookups}); last uses are written on {@code pool}. */
  public static ApiKeys create(Vertx vertx, WritePool pool, AppConfig config, PrimaryOnly primary) {
    return new ApiKeys(vertx, pool, config, primary);
  }

  public ApiKeyVerifier verifier() {
    return verifier;
  }

  /** Call after migrations: listens for revocations and starts the last-use flush. */
  public Future<Void> start() {
    flushTimer = vertx.setPeriodic(flushMillis, id -> lastUse.flushIfIdle());
    return revocations.start();
  }

  /** Writes the last uses still in memory (while the pool is open) and stops listening. */
  public Future<Void> stop() {
    vertx.cancelTimer(flushTimer);
    return lastUse.flush()
        .recover(err -> Future.succeededFuture())
        .compose(v -> revocations.stop())
        .eventually(() -> Database.close(lookups));
  }
}
