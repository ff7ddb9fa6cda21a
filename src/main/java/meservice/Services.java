package meservice;

import meservice.auth.AuthHandler;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.ReadConnections;
import meservice.db.Reads;
import meservice.db.WritePool;
import meservice.http.RateLimiter;
import meservice.me.MeHandler;
import meservice.me.MeRepository;
import meservice.me.PatchValidation;
import meservice.me.UserCache;
import meservice.me.Preferences;
import meservice.ops.Docs;
import meservice.ops.Health;
import meservice.ops.Metrics;
import meservice.ops.OpenApi;

/** The shared, thread-safe parts every event loop's router is built from. */
public record Services(AppConfig config, AuthHandler auth, RateLimiter rateLimiter, Preferences preferences,
    PatchValidation patchBody, WritePool writes, ReadConnections reads, UserCache users, Health health, Metrics metrics,
    OpenApi openApi, Docs docs) {

  /**
   * One event loop's Me handler: reads from the instance's user cache, else on that loop's own
   * connection, writes on the shared pool; the size of each read statement goes to
   * {@code db.read.batch.size}.
   */
  MeHandler me(Reads reads) {
    return new MeHandler(MeRepository.create(reads, writes, users, Database.deadlineMillis(config.dbLimits()),
        metrics::readBatch), preferences);
  }
}
