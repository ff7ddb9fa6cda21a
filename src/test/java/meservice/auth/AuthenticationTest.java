package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import meservice.identity.Ids;
import meservice.support.Api.Response;
import meservice.support.CapturedLogs;
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
  void bearerSchemeIsCaseInsensitiveAndSpacesBeforeTheTokenAreNotPartOfIt() {
    String sub = Tokens.newUserId();

    Response response = service.api().send("GET", "/v1/me",
        Map.of("Authorization", "bEaReR    " + Tokens.session(sub)), null);

    assertEquals(200, response.status());
    assertEquals(Ids.userId(sub).toString(), response.data().getString("user_id"));
  }

  @Test
  void bearerSchemeWithOnlySpacesAfterItIsUnauthorized() {
    assertUnauthorized(service.api().send("GET", "/v1/me", Map.of("Authorization", "Bearer \t  "), null));
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

  /**
   * Clerk's v2 shape (docs: fea, o.per, o.fpm) against the v1 shape carrying the same grants:
   * dashboard manage+read and impersonation read, as role admin; u:beta is a user feature.
   */
  @Test
  void v2TokenGivesTheSameScopesAsAV1TokenWithTheSameGrants() {
    JsonObject v1 = Tokens.claims(Tokens.newUserId())
        .put("org_id", "org_2acme").put("org_slug", "acme").put("org_role", "org:admin")
        .put("org_permissions", new JsonArray().add("org:dashboard:manage").add("org:dashboard:read")
            .add("org:impersonation:read"));
    JsonObject v2 = Tokens.claims(Tokens.newUserId())
        .put("v", 2).put("fva", new JsonArray().add(7).add(-1)).put("pla", "u:free,o:pro")
        .put("fea", "o:dashboard,o:impersonation,u:beta")
        .put("o", new JsonObject().put("id", "org_2acme").put("slg", "acme").put("rol", "admin")
            .put("per", "manage,read").put("fpm", "3,2"));

    JsonObject fromV1 = service.api().get(Tokens.sign(v1)).data();
    JsonObject fromV2 = service.api().get(Tokens.sign(v2)).data();

    JsonArray expected = new JsonArray().add("me:read").add("me:write").add("org:dashboard:manage")
        .add("org:dashboard:read").add("org:impersonation:read").add("org:members:manage").add("org:read")
        .add("org:write");
    assertEquals(expected, fromV1.getJsonArray("scopes"));
    assertEquals(expected, fromV2.getJsonArray("scopes"));
    assertEquals(Ids.orgId("org_2acme").toString(), fromV2.getString("org_id"));
    assertEquals(fromV1.getString("org_id"), fromV2.getString("org_id"));
  }

  /**
   * A member's token (v1 and v2 shapes) carrying permissions that spell the admin role's scope
   * ({@code org:members:manage}) or lie outside Clerk's permission shape ({@code *},
   * {@code me:admin}): only the member role's scopes and the real permission come out.
   */
  @Test
  void aPermissionNeverGrantsWhatOnlyARoleGrantsNorAnythingOutsideItsShape() {
    JsonObject v1 = Tokens.claims(Tokens.newUserId()).put("org_id", "org_spoof").put("org_role", "org:member")
        .put("org_permissions", new JsonArray().add("me:admin").add("*").add("org:members:manage").add("org:write")
            .add("org:invoices:create").add("ORG:INVOICES:READ").add("org:invoices:read:all"));
    JsonObject v2 = Tokens.claims(Tokens.newUserId()).put("v", 2).put("fea", "o:members,o:invoices,o:Bad Feature")
        .put("o", new JsonObject().put("id", "org_spoof").put("rol", "member").put("per", "manage,create")
            .put("fpm", "1,2,3"));
    JsonArray expected = new JsonArray().add("me:read").add("me:write").add("org:invoices:create").add("org:read");

    try (CapturedLogs logs = CapturedLogs.of(ClerkTokenVerifier.class)) {
      for (JsonObject claims : List.of(v1, v2)) {
        Response response = service.api().get(Tokens.sign(claims));

        assertEquals(200, response.status(), response.text());
        assertEquals(expected, response.data().getJsonArray("scopes"), claims.encode());
        assertTrue(logs.messages().contains(
            "organization permission \"org:members:manage\" is a role's scope: not granted by a permission"));
      }
    }
    JsonObject admin = v1.copy().put("sub", Tokens.newUserId()).put("org_role", "org:admin");
    assertTrue(service.api().get(Tokens.sign(admin)).data().getJsonArray("scopes").contains("org:members:manage"),
        "the role still grants it");
  }

  @Test
  void organizationWithoutARoleIsActiveWithItsPermissionsAndNoRoleScopesAndIsLogged() {
    JsonObject v1 = Tokens.claims(Tokens.newUserId()).put("org_id", "org_norole")
        .put("org_permissions", new JsonArray().add("org:dashboard:read"));
    JsonObject v2 = Tokens.claims(Tokens.newUserId()).put("v", 2).put("fea", "o:dashboard")
        .put("o", new JsonObject().put("id", "org_norole").put("per", "read").put("fpm", "1"));

    try (CapturedLogs logs = CapturedLogs.of(ClerkTokenVerifier.class)) {
      for (JsonObject claims : List.of(v1, v2)) {
        Response response = service.api().get(Tokens.sign(claims));

        assertEquals(200, response.status(), response.text());
        assertEquals(Ids.orgId("org_norole").toString(), response.data().getString("org_id"));
        assertEquals(new JsonArray().add("me:read").add("me:write").add("org:dashboard:read"),
            response.data().getJsonArray("scopes"));
        ILoggingEvent line = logs.withRequestId(response.header("X-Request-Id"));
        assertEquals("organization claim without a role: organization \"org_norole\" active, no role scopes",
            line.getFormattedMessage());
      }
    }
  }

  @Test
  void hostileClaimValueCannotForgeALogLine() {
    String forged = "https://e.example\n\"forged\" 2026-11-27 21:00:00 INFO meservice.access status=200";
    JsonObject claims = Tokens.claims(Tokens.newUserId()).put("iss", forged + "x".repeat(500));

    try (CapturedLogs logs = CapturedLogs.of(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      Response response = service.api().get(Tokens.sign(claims));

      assertUnauthorized(response);
      String message = logs.withRequestId(response.header("X-Request-Id")).getFormattedMessage();
      assertTrue(message.startsWith("UNAUTHORIZED: [issuer] issuer \"https://e.example\\u000a\\\"forged\\\" 2026-11-27"),
          message);
      assertFalse(message.contains("\n") || message.contains("\r"), message);
      assertTrue(message.length() < 160, "bounded: " + message);
    }
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
