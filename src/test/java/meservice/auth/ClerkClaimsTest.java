package meservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import meservice.identity.AuthFailure;
import meservice.identity.AuthFailureReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Organization claims read as Clerk's backend SDK reads them ({@code @clerk/shared}
 * {@code jwtPayloadParser}). Payloads are Clerk's documented examples (session token docs, v1 and
 * v2 tabs, and the "Decode o.fpm manually" example) and the cases of the SDK's own spec. No
 * database, no network.
 */
@Tag("unit")
class ClerkClaimsTest {

  /** Default claims of the docs' v2 table. */
  private static JsonObject v2(String fea, JsonObject o) {
    JsonObject claims = new JsonObject()
        .put("azp", "https://example.com").put("exp", 1713158400).put("fva", new JsonArray().add(7).add(-1))
        .put("iat", 1713158400).put("iss", "https://clerk.your-site.com").put("jti", "1234567890")
        .put("nbf", 1713158400).put("sid", "sess_123").put("sub", "user_123").put("v", 2)
        .put("pla", "u:free,o:pro");
    if (fea != null) {
      claims.put("fea", fea);
    }
    if (o != null) {
      claims.put("o", o);
    }
    return claims;
  }

  private static JsonObject org(String rol, String per, String fpm) {
    JsonObject o = new JsonObject().put("id", "org_123").put("slg", "org-slug");
    if (rol != null) {
      o.put("rol", rol);
    }
    if (per != null) {
      o.put("per", per);
    }
    if (fpm != null) {
      o.put("fpm", fpm);
    }
    return o;
  }

  private static Set<String> permissions(JsonObject claims) {
    return Set.copyOf(ClerkClaims.organization(claims).permissions());
  }

  @Test
  void docsManualDecodingExampleGivesDashboardManageAndReadAndTeamsRead() {
    // "role admin ... dashboard:read, dashboard:manage, teams:read": fea o:dashboard,o:teams, per manage,read, fpm 3,2.
    ClerkClaims.Organization org = ClerkClaims.organization(v2("o:dashboard,o:teams", org("admin", "manage,read", "3,2")));

    assertEquals("org_123", org.id());
    assertEquals("org:admin", org.role());
    assertEquals(List.of("org:dashboard:manage", "org:dashboard:read", "org:teams:read"), org.permissions());
  }

  @Test
  void v1PermissionsAreOnlyThoseOfClerksKeyShape() {
    JsonObject claims = new JsonObject().put("org_id", "org_123").put("org_role", "org:member").put("org_permissions",
        new JsonArray().add("org:invoices:create").add("*").add("me:admin").add("org:read").add("org:a:b:c")
            .add("ORG:INVOICES:READ").add("org:sys_memberships:read").add("org:in voices:read").add("org::read"));

    ClerkClaims.Organization org = ClerkClaims.organization(claims);

    assertEquals(List.of("org:invoices:create", "org:sys_memberships:read"), org.permissions());
    assertEquals(List.of("*", "me:admin", "org:read", "org:a:b:c", "ORG:INVOICES:READ", "org:in voices:read", "org::read"),
        org.ignored());
  }

  @Test
  void v2NamesThatMakeNoPermissionKeyGrantNothing() {
    ClerkClaims.Organization org = ClerkClaims.organization(
        v2("o:dashboard,o:Bad Feature,o:x:y", org("admin", "read,Manage,*", "7,7,7")));

    assertEquals(List.of("org:dashboard:read"), org.permissions());
    assertEquals(8, org.ignored().size(), org.ignored().toString());
  }

  @Test
  void docsTableExampleReadsMasksLeastSignificantBitFirst() {
    // per "read,manage", fpm "3,2": 3 = read+manage, 2 = the second name only.
    assertEquals(Set.of("org:dashboard:read", "org:dashboard:manage", "org:impersonation:manage"),
        permissions(v2("o:dashboard,o:impersonation", org("admin", "read,manage", "3,2"))));
  }

  @Test
  void userFeaturesTakeNoMaskAndGrantNothingToTheOrganization() {
    assertEquals(Set.of("org:dashboard:manage", "org:dashboard:read", "org:impersonation:read"),
        permissions(v2("o:dashboard,o:impersonation,u:beta", org("admin", "manage,read", "3,2"))));
  }

  @Test
  void v1AndV2TokensWithTheSameGrantsReadTheSame() {
    JsonObject v1 = new JsonObject().put("sid", "sess_123").put("sub", "user_123").put("exp", 1713158400)
        .put("org_id", "org_123").put("org_slug", "org-slug").put("org_role", "org:admin")
        .put("org_permissions", new JsonArray().add("org:dashboard:manage").add("org:dashboard:read")
            .add("org:impersonation:read"));
    ClerkClaims.Organization fromV1 = ClerkClaims.organization(v1);
    ClerkClaims.Organization fromV2 = ClerkClaims.organization(
        v2("o:dashboard,o:impersonation,u:beta", org("admin", "manage,read", "3,2")));

    assertEquals(fromV1.id(), fromV2.id());
    assertEquals(fromV1.role(), fromV2.role());
    assertEquals(Set.copyOf(fromV1.permissions()), Set.copyOf(fromV2.permissions()));
  }

  @Test
  void scopedFeatureForBothUserAndOrganizationCounts() {
    assertEquals(Set.of("org:impersonation:read", "org:memberships:read", "org:memberships:manage", "org:feature3:read"),
        permissions(v2("uo:impersonation,o:memberships,ou:feature3", org("admin", "read,manage", "1,3,1"))));
  }

  @Test
  void zeroMasksKeepLaterFeaturesAligned() {
    assertEquals(List.of("org:repositories:read", "org:repositories:update", "org:billing:manage", "org:billing:read"),
        ClerkClaims.organization(v2("o:repositories,o:impersonation,o:billing", org("admin", "manage,read,update", "6,0,3")))
            .permissions());
  }

  @Test
  void missingPerFpmOrFeaGrantNoPermissionsButKeepTheOrganizationAndRole() {
    for (JsonObject claims : List.of(
        v2("o:dashboard", org("admin", null, "3")),
        v2("o:dashboard", org("admin", "read,manage", null)),
        v2(null, org("admin", "read,manage", "3")),
        v2("", org("admin", "read,manage", "3")))) {
      ClerkClaims.Organization org = ClerkClaims.organization(claims);
      assertEquals("org_123", org.id(), claims.encode());
      assertEquals("org:admin", org.role());
      assertEquals(List.of(), org.permissions(), claims.encode());
    }
  }

  @Test
  void featuresBeyondTheMasksAndMasksBeyondTheFeaturesGrantNothing() {
    assertEquals(List.of("org:a:read"), ClerkClaims.organization(v2("o:a,o:b", org("admin", "read", "1"))).permissions());
    assertEquals(List.of("org:a:read"), ClerkClaims.organization(v2("o:a", org("admin", "read", "1,1,1"))).permissions());
  }

  @Test
  void bitsBeyondThePermissionListAreIgnored() {
    // 5 = bits 0 and 2; there is no third name, so only the first is granted (the SDK once said "org:a:undefined").
    assertEquals(List.of("org:a:read"), ClerkClaims.organization(v2("o:a", org("admin", "read,manage", "5"))).permissions());
  }

  @Test
  void masksAboveTwoToThe53AreExact() {
    String per = IntStream.range(0, 54).mapToObj(i -> "permission_" + i).collect(Collectors.joining(","));

    assertEquals(List.of("org:feature:permission_0", "org:feature:permission_53"),
        ClerkClaims.organization(v2("o:feature", org("admin", per, "9007199254740993"))).permissions());
    assertEquals(List.of("org:feature:permission_0", "org:feature:permission_1", "org:feature:permission_53"),
        ClerkClaims.organization(v2("o:feature", org("admin", per, "9007199254740995"))).permissions());
    assertEquals(List.of(), ClerkClaims.organization(v2("o:feature", org("admin", per, "18014398509481984"))).permissions());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1invalid", "-1", "1.5", "0x3", " "})
  void malformedMaskGrantsNothingToItsFeatureOnly(String mask) {
    assertEquals(List.of("org:other:read", "org:other:manage"),
        ClerkClaims.organization(v2("o:feature,o:other", org("admin", "read,manage", mask + ",3"))).permissions());
  }

  @Test
  void featureEntryWithoutAScopeIsRefusedAsTheSdkRefusesIt() {
    AuthFailure failure = assertThrows(AuthFailure.class,
        () -> ClerkClaims.organization(v2("dashboard,o:teams", org("admin", "read", "1,1"))));

    assertEquals(AuthFailureReason.CLAIMS, failure.reason);
  }

  @Test
  void organizationClaimsOfTheWrongTypeAreRefused() {
    for (JsonObject claims : List.of(
        v2("o:a", new JsonObject().put("id", "org_123").put("per", new JsonArray().add("read")).put("fpm", "1")),
        v2("o:a", new JsonObject().put("id", "org_123").put("per", "read").put("fpm", 1)),
        v2("o:a", new JsonObject().put("id", 123)),
        v2(null, null).put("o", "org_123"),
        new JsonObject().put("org_id", "org_123").put("org_permissions", "org:a:read"))) {
      AuthFailure failure = assertThrows(AuthFailure.class, () -> ClerkClaims.organization(claims), claims.encode());
      assertEquals(AuthFailureReason.CLAIMS, failure.reason);
    }
  }

  @Test
  void noOrganizationClaimMeansNoActiveOrganization() {
    assertNull(ClerkClaims.organization(v2("u:impersonation,u:memberships", null)));
    assertNull(ClerkClaims.organization(new JsonObject().put("sub", "user_123")));
    assertNull(ClerkClaims.organization(v2("o:a", new JsonObject().put("rol", "admin"))), "o without id");
  }

  @Test
  void organizationWithoutARoleIsActiveWithItsPermissionsAndNoRole() {
    ClerkClaims.Organization v2 = ClerkClaims.organization(v2("o:dashboard", org(null, "read", "1")));
    ClerkClaims.Organization v1 = ClerkClaims.organization(new JsonObject().put("org_id", "org_123")
        .put("org_permissions", new JsonArray().add("org:dashboard:read")));

    assertEquals(new ClerkClaims.Organization("org_123", null, List.of("org:dashboard:read"), List.of()), v2);
    assertEquals(v2, v1);
  }

  @Test
  void roleIsPrefixedAsTheSdkDoes() {
    assertEquals("org:member", ClerkClaims.organization(v2(null, org("member", null, null))).role());
  }
}
