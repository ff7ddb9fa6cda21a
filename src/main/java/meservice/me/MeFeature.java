package meservice.me;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.function.Consumer;
import meservice.config.AppConfig;
import meservice.db.ChangeListener;
import meservice.db.Database;
import meservice.db.Reads;
import meservice.db.WritePool;

/**
 * {@code GET} and {@code PATCH /v1/me}: the caller's own row, read from this instance's
 * {@link UserCache} or PostgreSQL, merged by a JSON Merge Patch, answered as the Me payload.
 * Shared by every event loop; each mounts it on its own router with its own read connection.
 */
public final class MeFeature {

  public static final String PATH = "/v1/me";
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private final Preferences preferences;
  private final PatchValidation patchBody;
  private final WritePool writes;
  private final UserCache users;
  private final long deadlineMillis;
  private final int bodyLimitBytes;
  /** Registered up front, so it shows (at 0) from the first scrape. */
  private final DistributionSummary readBatchSizes;

  /** Its cache of user rows is kept true by {@code changes}' {@code user_changed} channel. */
  public MeFeature(AppConfig config, Preferences preferences, WritePool writes, ChangeListener changes,
      MeterRegistry registry) {
    this.preferences = preferences;
    this.patchBody = new PatchValidation(new PatchParser(preferences));
    this.writes = writes;
    this.deadlineMillis = Database.deadlineMillis(config.database().limits());
    this.users = new UserCache(config.userCache().size(), config.userCache().ttl(), Duration.ofMillis(deadlineMillis),
        registry);
    changes.add(users);
    this.bodyLimitBytes = config.http().bodyLimitBytes();
    this.readBatchSizes = DistributionSummary.builder("db.read.batch.size")
        .description("Reads carried by each statement of the GET path's batched read")
        .register(registry);
  }

  /**
   * The routes, in the design card's order. GET: authenticate, limit, then the handler that reads
   * the caller's row and writes the envelope. PATCH: authenticate, limit, refuse API keys and
   * non-JSON bodies unread, read the bounded body, validate it (the validated patch goes on the
   * context), then the non-blocking upsert, which writes the envelope. PATCH is two routes on
   * purpose: vertx-web puts a BodyHandler before user handlers on one route, but the caller must
   * be known (and an API key refused) before a byte of body is read.
   *
   * @param reads this event loop's read connection
   * @param authenticate puts the caller's principal on the context, or fails it
   * @param limit the caller's rate limit
   */
  public void mount(Router router, Reads reads, Handler<RoutingContext> authenticate, Handler<RoutingContext> limit) {
    MeHandler me = new MeHandler(
        MeRepository.create(reads, writes, users, deadlineMillis, readBatchSizes::record), preferences);
    // Me answers are the caller's own and change with every PATCH: no cache on the way keeps one.
    router.route(PATH).handler(rc -> {
      rc.response().putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
      rc.next();
    });
    router.get(PATH).handler(authenticate).handler(limit).handler(me::get);
    router.patch(PATH).handler(authenticate).handler(limit).handler(me::rejectApiKeys).handler(patchBody::requireJson);
    router.patch(PATH).handler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes)).handler(patchBody)
        .handler(me::patch);
  }

  /**
   * Completes the OpenAPI document with what the preference registry owns: the {@code preferences}
   * schemas of the Me payload and of a PATCH body, and of the documented Me examples, so a new
   * preference key needs no edit of the document (nor of the types and page made from it).
   */
  public static Consumer<JsonObject> openApi(Preferences preferences) {
    return openApi -> document(openApi, preferences);
  }

  private static void document(JsonObject openApi, Preferences preferences) {
    JsonObject schemas = openApi.getJsonObject("components").getJsonObject("schemas");
    schemas.put("Preferences", preferences.documentedSchema());
    schemas.getJsonObject("MePatch").getJsonObject("properties").put("preferences", preferences.documentedPatchSchema());
    JsonObject me = openApi.getJsonObject("paths").getJsonObject(PATH);
    for (String method : new String[] {"get", "patch"}) {
      me.getJsonObject(method).getJsonObject("responses").getJsonObject("200").getJsonObject("content")
          .getJsonObject("application/json").getJsonObject("example").getJsonObject("data")
          .put("preferences", preferences.example());
    }
  }
}
