package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract's authentication rules for Clerk session tokens (PEM key source). */
class AuthenticationTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  @Test
  void validSessionTokenIsAccepted() {
    String sub = Tokens.newUserId();

    Response response = service.api().get(Tokens.session(sub));

    assertEquals(200, response.status());
    assertEquals(Ids.userId(sub).toString(), response.data().getString("user_id"));
  }

  @Test
  void userIdIsTheSameOnEveryCall() {
    String sub = Tokens.newUserId();

    String first = service.api().get(Tokens.session(sub)).data().getString("user_id");
    String second = service.api().get(Tokens.session(sub)).data().getString("user_id");

    assertEquals(first, second);
  }

  @Test
  void missingAuthorizationHeaderIsUnauthorized() {
    assertUnauthorized(service.api().get(null));
  }

  @Test
  void nonBearerSchemeIsUnauthorized() {
    Response response = service.api().send("GET", "/v1/me",
        Map.of("Authorization", "Basic " + Tokens.session(Tokens.newUserId())), null);

    assertUnauthorized(response);
  }

  @Test
  void garbageCredentialIsUnauthorizedNotBadRequest() {
    assertUnauthorized(service.api().get("not-a-token"));
  }

  @Test
  void expiredTokenIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("exp", Tokens.now() - 60);

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void tokenExpiredWithinTheClockSkewIsAccepted() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("exp", Tokens.now() - 2);

    assertEquals(200, service.api().get(Tokens.sign(claims)).status());
  }

  @Test
  void tokenWithoutExpIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId());
    claims.remove("exp");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void nonNumericExpIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("exp", "tomorrow");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void futureNotBeforeIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("nbf", Tokens.now() + 60);

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void futureIssuedAtIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("iat", Tokens.now() + 60);

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void wrongIssuerIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("iss", "https://evil.example.com");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void missingAuthorizedPartyIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId());
    claims.remove("azp");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void foreignAuthorizedPartyIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("azp", "https://evil.example.com");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void anyListedAuthorizedPartyIsAccepted() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("azp", "https://dashboard.example.com");

    assertEquals(200, service.api().get(Tokens.sign(claims)).status());
  }

  @Test
  void missingSubIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId());
    claims.remove("sub");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void missingSidIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId());
    claims.remove("sid");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void pendingSessionStatusIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("v", 2).put("sts", "pending");

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void machineTokenCategoryIsUnauthorized() {
    String token = Tokens.ISSUER.sign(Tokens.header().put("cat", "cl_M7d4PD111MMM"), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void sessionAndIgnoredTokenCategoriesAreAccepted() {
    for (String category : new String[] {"cl_B7d4PD111AAA", "cl_I7d4PD111III"}) {
      String token = Tokens.ISSUER.sign(Tokens.header().put("cat", category), Tokens.claims(Tokens.newUserId()));

      assertEquals(200, service.api().get(token).status(), category);
    }
  }

  @Test
  void algNoneIsUnauthorized() {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = url.encodeToString(Tokens.claims(Tokens.newUserId()).toBuffer().getBytes());

    assertUnauthorized(service.api().get(header + "." + claims + "."));
    assertUnauthorized(service.api().get(header + "." + claims));
  }

  @Test
  void hs256SignedWithThePublicKeyIsUnauthorized() throws Exception {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String input = url.encodeToString(new JsonObject().put("alg", "HS256").put("typ", "JWT").toBuffer().getBytes())
        + "." + url.encodeToString(Tokens.claims(Tokens.newUserId()).toBuffer().getBytes());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Tokens.ISSUER.publicKeyPem().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String token = input + "." + url.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void tokenSignedByAnotherKeyIsUnauthorized() {
    String token = Tokens.STRANGER.sign(Tokens.header(), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void tamperedClaimsAreUnauthorized() {
    String[] parts = Tokens.session("user_victim").split("\\.");
    String forged = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Tokens.claims("user_attacker").toBuffer().getBytes());

    assertUnauthorized(service.api().get(parts[0] + "." + forged + "." + parts[2]));
  }

  @Test
  void embeddedJwkHeaderIsUnauthorized() {
    String token = Tokens.ISSUER.sign(
        Tokens.header().put("jwk", Tokens.ISSUER.jwk()), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void jkuHeaderIsUnauthorized() {
    String token = Tokens.ISSUER.sign(
        Tokens.header().put("jku", "https://evil.example.com/jwks.json"), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void x5uHeaderIsUnauthorized() {
    String token = Tokens.ISSUER.sign(
        Tokens.header().put("x5u", "https://evil.example.com/cert.pem"), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void rs384IsUnauthorizedUnlessEnabled() {
    String token = Tokens.ISSUER.sign(Tokens.header().put("alg", "RS384"), Tokens.claims(Tokens.newUserId()));

    assertUnauthorized(service.api().get(token));
  }

  @Test
  void tokenOver8KiBIsUnauthorized() {
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("padding", "x".repeat(9 * 1024));

    assertUnauthorized(service.api().get(Tokens.sign(claims)));
  }

  @Test
  void v1OrganizationClaimsGiveOrgIdAndScopes() {
    JsonObject claims = Tokens.claims(Tokens.newUserId())
        .put("org_id", "org_v1acme")
        .put("org_role", "org:member")
        .put("org_permissions", new JsonArray().add("org:billing:read").add("org:read"));

    JsonObject me = service.api().get(Tokens.sign(claims)).data();

    assertEquals(Ids.orgId("org_v1acme").toString(), me.getString("org_id"));
    assertEquals(new JsonArray().add("me:read").add("me:write").add("org:billing:read").add("org:read"),
        me.getJsonArray("scopes"));
  }

  @Test
  void v2OrganizationClaimsGiveOrgIdAndScopes() {
    JsonObject claims = Tokens.claims(Tokens.newUserId())
        .put("v", 2)
        .put("o", new JsonObject().put("id", "org_v2acme").put("rol", "admin").put("per", "org:reports:read"));

    JsonObject me = service.api().get(Tokens.sign(claims)).data();

    assertEquals(Ids.orgId("org_v2acme").toString(), me.getString("org_id"));
    assertEquals(new JsonArray().add("me:read").add("me:write").add("org:members:manage").add("org:read")
        .add("org:reports:read").add("org:write"), me.getJsonArray("scopes"));
  }

  @Test
  void sessionWithoutOrganizationHasNullOrgIdAndUserScopesOnly() {
    JsonObject me = service.api().get(Tokens.session(Tokens.newUserId())).data();

    assertTrue(me.containsKey("org_id"));
    assertNull(me.getValue("org_id"));
    assertEquals(new JsonArray().add("me:read").add("me:write"), me.getJsonArray("scopes"));
  }

  @Test
  void sameOrganizationGetsTheSameOrgIdForEveryMember() {
    JsonObject alice = Tokens.claims(Tokens.newUserId()).put("org_id", "org_shared").put("org_role", "org:member");
    JsonObject bob = Tokens.claims(Tokens.newUserId()).put("org_id", "org_shared").put("org_role", "org:admin");

    assertEquals(service.api().get(Tokens.sign(alice)).data().getString("org_id"),
        service.api().get(Tokens.sign(bob)).data().getString("org_id"));
  }

  @Test
  void unauthorizedPatchWritesNothing() {
    String sub = Tokens.newUserId();
    JsonObject expired = Tokens.claims(sub).put("exp", Tokens.now() - 60);

    Response response = service.api().patch(Tokens.sign(expired), "{\"preferences\": {\"timezone\": \"UTC\"}}");

    assertUnauthorized(response);
    assertNull(service.api().get(Tokens.session(sub)).data().getJsonObject("preferences").getValue("timezone"));
  }

  static void assertUnauthorized(Response response) {
    assertEquals(401, response.status(), response.text());
    assertEquals("Bearer", response.header("WWW-Authenticate"));
    JsonObject error = response.error();
    assertEquals("UNAUTHORIZED", error.getString("code"));
    assertEquals("authentication failed", error.getString("message"));
    assertEquals(response.header("X-Request-Id"), error.getString("request_id"));
    assertEquals(false, response.json().getBoolean("success"));
  }
}
