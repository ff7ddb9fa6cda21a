package meservice.me;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import meservice.auth.AuthHandler;
import meservice.auth.Principal;
import meservice.http.ApiError;
import meservice.http.Envelope;
import meservice.http.ErrorCode;

/** {@code GET /v1/me} and {@code PATCH /v1/me}: read or merge, then answer the full Me payload. */
public final class MeHandler {

  private final MeRepository repository;
  private final PatchParser parser;
  private final Preferences preferences;

  public MeHandler(MeRepository repository, Preferences preferences) {
    this.repository = repository;
    this.parser = new PatchParser(preferences);
    this.preferences = preferences;
  }

  public void get(RoutingContext rc) {
    Principal principal = AuthHandler.principal(rc);
    respond(rc, principal, stored(principal));
  }

  /** Mounted before the body is read: an API key has no user to write for. */
  public void rejectApiKeys(RoutingContext rc) {
    if (AuthHandler.principal(rc) instanceof Principal.ApiKey) {
      rc.fail(ApiError.of(ErrorCode.FORBIDDEN, "api keys cannot update user preferences"));
    } else {
      rc.next();
    }
  }

  /**
   * Mounted before the body is read: a request that declares a body of another media type is
   * refused unread, so form and multipart decoders never see it. No body at all is a no-op.
   */
  public void requireJsonBody(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean declaresBody = request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !length.equals("0"));
    if (declaresBody && !PatchParser.isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      rc.fail(ApiError.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE));
    } else {
      rc.next();
    }
  }

  public void patch(RoutingContext rc) {
    Principal.ClerkUser user = (Principal.ClerkUser) AuthHandler.principal(rc);
    PreferencesPatch patch;
    try {
      patch = parser.parse(rc.body().buffer());
    } catch (ApiError e) {
      rc.fail(e);
      return;
    }
    Future<StoredUser> result = patch.isEmpty()
        ? repository.find(user.userId())
        : repository.patch(user.userId(), user.clerkUserId(), patch);
    respond(rc, user, result);
  }

  private Future<StoredUser> stored(Principal principal) {
    return principal instanceof Principal.ClerkUser user
        ? repository.find(user.userId())
        : Future.succeededFuture(StoredUser.NEVER_WRITTEN);
  }

  private void respond(RoutingContext rc, Principal principal, Future<StoredUser> stored) {
    stored.onComplete(ar -> {
      if (ar.succeeded()) {
        Envelope.ok(rc, payload(principal, ar.result()));
      } else {
        rc.fail(ar.cause());
      }
    });
  }

  JsonObject payload(Principal principal, StoredUser stored) {
    return new JsonObject()
        .put("user_id", principal instanceof Principal.ClerkUser user ? user.userId().toString() : null)
        .put("org_id", principal.orgId() == null ? null : principal.orgId().toString())
        .put("is_staff", stored.isStaff())
        .put("scopes", new JsonArray(principal.scopes()))
        .put("preferences", preferences.render(stored.preferences()));
  }
}
