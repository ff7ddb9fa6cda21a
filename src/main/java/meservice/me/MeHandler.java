package meservice.me;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import meservice.http.ApiError;
import meservice.http.Envelope;
import meservice.http.ErrorCode;
import meservice.identity.Principal;
import meservice.identity.RequestPrincipal;

/**
 * {@code GET /v1/me} and {@code PATCH /v1/me}: read or merge, then answer the full Me payload with
 * its ETag. {@code If-None-Match} on GET answers 304; {@code If-Match} on PATCH is checked after the
 * body is validated (RFC 9110 13.2.1) and a mismatch answers 412 having written nothing.
 */
public final class MeHandler {

  private final MeRepository repository;
  private final Preferences preferences;
  private final ETags etags;

  public MeHandler(MeRepository repository, Preferences preferences) {
    this.repository = repository;
    this.preferences = preferences;
    this.etags = new ETags(preferences);
  }

  /**
   * A caller that presents an ETag it was given ({@code If-None-Match}) is never answered from an
   * older row: this instance's cache may not have heard of a PATCH another instance acknowledged
   * yet, so a cached row older than the tag is passed over for the database's.
   */
  public void get(RoutingContext rc) {
    Principal principal = RequestPrincipal.of(rc);
    String ifNoneMatch = rc.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    stored(principal, etags.newestVersionSeen(ifNoneMatch, principal)).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
        return;
      }
      String etag = etags.of(principal, ar.result().version());
      if (ETags.noneMatchFails(ifNoneMatch, etag)) {
        rc.response().putHeader(HttpHeaders.ETAG, etag).setStatusCode(304).end();
      } else {
        respond(rc, principal, ar.result(), etag);
      }
    });
  }

  /** Mounted before the body is read: an API key has no user to write for. */
  public void rejectApiKeys(RoutingContext rc) {
    if (RequestPrincipal.of(rc) instanceof Principal.ApiKey) {
      rc.fail(ApiError.of(ErrorCode.FORBIDDEN, "api keys cannot update user preferences"));
    } else {
      rc.next();
    }
  }

  /** After {@link PatchValidation}: the upsert, one statement, with {@code If-Match} inside it. */
  public void patch(RoutingContext rc) {
    Principal.ClerkUser user = (Principal.ClerkUser) RequestPrincipal.of(rc);
    PreferencesPatch patch = PatchValidation.patch(rc);
    List<Long> accepted = etags.acceptedVersions(rc.request().getHeader(HttpHeaders.IF_MATCH), user);
    if (accepted != null && accepted.isEmpty()) {
      rc.fail(ApiError.of(ErrorCode.PRECONDITION_FAILED));
      return;
    }
    Future<StoredUser> result = patch.isEmpty()
        ? repository.find(user.userId(), -1)
            .map(stored -> accepted == null || accepted.contains(stored.version()) ? stored : null)
        : repository.patch(user.userId(), user.clerkUserId(), patch, accepted);
    result.onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
      } else if (ar.result() == null) {
        rc.fail(ApiError.of(ErrorCode.PRECONDITION_FAILED));
      } else {
        respond(rc, user, ar.result(), etags.of(user, ar.result().version()));
      }
    });
  }

  private Future<StoredUser> stored(Principal principal, long versionSeen) {
    return principal instanceof Principal.ClerkUser user
        ? repository.find(user.userId(), versionSeen)
        : Future.succeededFuture(StoredUser.NEVER_WRITTEN);
  }

  private void respond(RoutingContext rc, Principal principal, StoredUser stored, String etag) {
    // add, not putHeader: no earlier handler sets an ETag, and put's removal of one showed in the
    // GET profile.
    rc.response().headers().add(HttpHeaders.ETAG, etag);
    Envelope.ok(rc, json -> writeMe(json, principal, stored));
  }

  /** The Me payload, field by field into the envelope (no map is built for it). */
  private void writeMe(JsonGenerator json, Principal principal, StoredUser stored) throws IOException {
    json.writeStartObject();
    json.writeStringField("user_id", principal instanceof Principal.ClerkUser user ? user.userId().toString() : null);
    json.writeStringField("org_id", principal.orgId() == null ? null : principal.orgId().toString());
    json.writeBooleanField("is_staff", stored.isStaff());
    json.writeArrayFieldStart("scopes");
    for (String scope : principal.scopes()) {
      json.writeString(scope);
    }
    json.writeEndArray();
    json.writeFieldName("preferences");
    JacksonCodec.encodeJson(preferences.render(stored.preferences()), json);
    json.writeEndObject();
  }
}
