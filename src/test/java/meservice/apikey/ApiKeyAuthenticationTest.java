package meservice.apikey;

import static meservice.support.Futures.await;
import static meservice.support.Revocations.assertRefusedWithinOneSecond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import meservice.identity.Ids;
import meservice.support.Api.Response;
import meservice.support.ApiKeyCli.Created;
import meservice.support.ApiKeyCli;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API keys presented as {@code Authorization: Bearer mek_...} to one running service. */
@ExtendWith(VertxExtension.class)
class ApiKeyAuthenticationTest {

  @RegisterExtension
  static final RunningService service = RunningService.with(env -> env.put("API_KEY_LAST_USED_FLUSH_SECONDS", "1"));

  @Test
  void getWithAKeyAnswersTheOrganizationsPayloadWithoutAUser(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();
    Created key = ApiKeyCli.create(vertx, org, "--scopes", "org:read,me:read,org:read");

    Response response = service.api().get(key.key());

    assertEquals(200, response.status(), response.text());
    JsonObject me = response.data();
    assertTrue(me.containsKey("user_id"));
    assertNull(me.getValue("user_id"));
    assertEquals(false, me.getBoolean("is_staff"));
    assertEquals(Ids.orgId(org).toString(), me.getString("org_id"));
    assertEquals(new JsonArray().add("me:read").add("org:read"), me.getJsonArray("scopes"));
    JsonObject preferences = me.getJsonObject("preferences");
    assertTrue(preferences.containsKey("timezone"));
    for (String name : preferences.fieldNames()) {
      assertNull(preferences.getValue(name), name);
    }
  }

  @Test
  void aKeyWithoutScopesHasAnEmptyScopeList(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    assertEquals(new JsonArray(), service.api().get(key.key()).data().getJsonArray("scopes"));
  }

  @Test
  void aKeyKeepsWorkingOnRepeatedCalls(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    for (int i = 0; i < 5; i++) {
      assertEquals(200, service.api().get(key.key()).status());
    }
  }

  @Test
  void patchWithAKeyIsForbiddenAndWritesNothing(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
    String before = databaseState();

    assertForbidden(service.api().patch(key.key(), "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}"));
    assertForbidden(service.api().patch(key.key(), "{\"preferences\": {\"timezone\": \"Mars/Olympus\"}}"));
    assertForbidden(service.api().patch(key.key(), "{not json"));
    assertForbidden(service.api().patch(key.key(), "{\"preferences\": {\"timezone\": \"" + "x".repeat(64 * 1024) + "\"}}"));
    assertForbidden(service.api().send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + key.key(), "Content-Type", "text/plain"), "hello"));
    assertForbidden(service.api().send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + key.key()), null));

    assertEquals(before, databaseState());
  }

  @Test
  void patchWithAnOversizedBodyAndAnUncachedKeyIsForbidden(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    // The first use of a key is a database lookup: the body must wait for it, then be refused.
    assertForbidden(service.api().patch(key.key(), "[" + "1,".repeat(256 * 1024) + "1]"));
  }

  @Test
  void revokedKeyIsUnauthorizedWithinOneSecond(Vertx vertx) throws InterruptedException {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
    assertEquals(200, service.api().get(key.key()).status());

    ApiKeyCli.revoke(vertx, key.id());

    assertRefusedWithinOneSecond(key.key(), service.api());
    assertUnauthorized(service.api().get(key.key()));
  }

  @Test
  void unknownKeyIsUnauthorized() {
    assertUnauthorized(service.api().get("mek_" + "A".repeat(43)));
  }

  @Test
  void malformedKeysAreUnauthorized() {
    assertUnauthorized(service.api().get("mek_"));
    assertUnauthorized(service.api().get("mek_tooShort"));
    assertUnauthorized(service.api().get("mek_" + "A".repeat(44)));
    assertUnauthorized(service.api().get("mek_" + "A".repeat(42) + "!"));
  }

  @Test
  void aKeyAlteredInOneCharacterIsUnauthorized(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());
    String last = key.key().substring(key.key().length() - 1);
    String altered = key.key().substring(0, key.key().length() - 1) + ("a".equals(last) ? "b" : "a");

    assertUnauthorized(service.api().get(altered));
  }

  @Test
  void aKeyIsNeverTakenForASessionTokenNorATokenForAKey(Vertx vertx) {
    Created key = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    assertUnauthorized(service.api().get(key.key() + "." + key.key() + "." + key.key()));
    assertEquals(200, service.api().get(Tokens.session(Tokens.newUserId())).status());
  }

  @Test
  void lastUseIsRecordedWithoutAWritePerRequest(Vertx vertx) throws InterruptedException {
    String org = ApiKeyCli.newOrgId();
    Created key = ApiKeyCli.create(vertx, org);
    UUID id = UUID.fromString(key.id());
    assertNull(lastUsedAt(id));

    for (int i = 0; i < 3; i++) {
      assertEquals(200, service.api().get(key.key()).status());
    }

    await("last_used_at written by the periodic flush", Duration.ofSeconds(10), () -> lastUsedAt(id) != null);
    String row = ApiKeyCli.run(vertx, "list", "--org", org).lines().toList().get(1);
    assertTrue(row.matches(".*Z +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +-$"), "last used shown: " + row);
  }

  private static Object lastUsedAt(UUID id) {
    return await(service.app().pool().preparedQuery("SELECT last_used_at FROM api_keys WHERE id = $1")
        .execute(Tuple.of(id))).iterator().next().getValue(0);
  }

  /** Everything a PATCH could touch: the users table, row by row. */
  private static String databaseState() {
    return await(service.app().pool()
        .query("SELECT count(*) || ':' || coalesce(md5(string_agg(u::text, ',' ORDER BY id)), '') FROM users u")
        .execute()).iterator().next().getString(0);
  }

  private static void assertForbidden(Response response) {
    assertEquals(403, response.status(), response.text());
    assertEquals("FORBIDDEN", response.error().getString("code"));
    assertEquals("api keys cannot update user preferences", response.error().getString("message"));
  }

  private static void assertUnauthorized(Response response) {
    assertEquals(401, response.status(), response.text());
    assertEquals("UNAUTHORIZED", response.error().getString("code"));
    assertEquals("authentication failed", response.error().getString("message"));
    assertEquals("Bearer", response.header("WWW-Authenticate"));
    assertFalse(response.json().getBoolean("success"));
  }
}
