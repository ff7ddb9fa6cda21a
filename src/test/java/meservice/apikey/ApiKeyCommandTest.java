package meservice.apikey;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletionException;
import meservice.cli.ApiKeyCommand;
import meservice.config.AppConfig;
import meservice.support.ApiKeyCli;
import meservice.support.ApiKeyCli.Created;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code apikey create | list | revoke} through the command Main runs, against real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class ApiKeyCommandTest {

  @Test
  void createPrintsAPrefixedHighEntropyKeyAndItsId(Vertx vertx) {
    Created created = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId(), "--name", "ci deploys");

    assertTrue(created.key().matches("mek_[0-9A-Za-z]{43}"), created.key());
    assertTrue(created.output().contains("only time the key is shown"), created.output());
    assertTrue(created.output().lines().anyMatch(line -> line.equals("ME_API_KEY=" + created.key())),
        "a line to paste into a shell or .env file: " + created.output());
  }

  @Test
  void everyCreatedKeyIsDifferent(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();

    assertNotEquals(ApiKeyCli.create(vertx, org).key(), ApiKeyCli.create(vertx, org).key());
  }

  @Test
  void listShowsIdNamePrefixScopesAndTimesButNeverTheSecret(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();
    Created created = ApiKeyCli.create(vertx, org, "--name", "reporting", "--scopes", "org:read,me:read,org:read");

    String list = ApiKeyCli.run(vertx, "list", "--org", org);

    List<String> lines = list.lines().toList();
    assertEquals(2, lines.size(), list);
    assertTrue(lines.get(0).matches("ID +NAME +PREFIX +SCOPES +CREATED +LAST USED +REVOKED"), lines.get(0));
    String row = lines.get(1);
    assertTrue(row.startsWith(created.id()), row);
    assertTrue(row.contains("reporting"), row);
    assertTrue(row.contains(created.key().substring(0, 12) + "..."), row);
    assertTrue(row.contains("me:read,org:read"), "scopes sorted and unique: " + row);
    assertTrue(row.matches(".*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +- +-$"), "created, never used, not revoked: " + row);
    assertFalse(list.contains(created.key()), "list printed the secret");
    assertFalse(list.contains(created.key().substring(12)), "list printed the secret part of the key");
  }

  @Test
  void listShowsOnlyTheGivenOrganizationsKeys(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();
    Created mine = ApiKeyCli.create(vertx, org);
    Created theirs = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    String list = ApiKeyCli.run(vertx, "list", "--org", org);

    assertTrue(list.contains(mine.id()), list);
    assertFalse(list.contains(theirs.id()), list);
  }

  @Test
  void listOfAnOrganizationWithoutKeysSaysSo(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();

    assertEquals("no api keys for " + org, ApiKeyCli.run(vertx, "list", "--org", org));
  }

  @Test
  void revokeShowsInTheList(Vertx vertx) {
    String org = ApiKeyCli.newOrgId();
    Created created = ApiKeyCli.create(vertx, org);

    String revoked = ApiKeyCli.revoke(vertx, created.id());

    assertTrue(revoked.startsWith("api key " + created.id() + " revoked at "), revoked);
    String row = ApiKeyCli.run(vertx, "list", "--org", org).lines().toList().get(1);
    assertTrue(row.matches(".*\\d\\d:\\d\\d:\\d\\dZ$"), "revoked time shown: " + row);
  }

  @Test
  void revokingTwiceKeepsTheFirstRevocationTime(Vertx vertx) {
    Created created = ApiKeyCli.create(vertx, ApiKeyCli.newOrgId());

    String first = ApiKeyCli.revoke(vertx, created.id());
    String second = ApiKeyCli.revoke(vertx, created.id());

    assertEquals(first, second);
  }

  @Test
  void revokingAnUnknownIdFailsClearly(Vertx vertx) {
    String id = "3f1c4f0e-2a57-4d36-9c38-1b7d5f6a9e01";

    assertEquals("apikey revoke: no api key has id " + id, usageError(vertx, "revoke", id));
  }

  @Test
  void aUsageErrorSaysWhatIsWrongThenShowsTheUsage(Vertx vertx) {
    assertUsage("apikey create: --org is required", usageError(vertx, "create"));
    assertUsage("apikey create: --org needs a value", usageError(vertx, "create", "--org"));
    assertUsage("apikey create: --org needs a value", usageError(vertx, "create", "--org", "--name", "x"));
    assertUsage("apikey create: --org is given twice", usageError(vertx, "create", "--org", "org_a", "--org", "org_b"));
    assertUsage("apikey create: unknown option --scope (did you mean --scopes?)",
        usageError(vertx, "create", "--org", "org_a", "--scope", "me:read"));
    assertUsage("apikey create: unexpected argument 'org_a'", usageError(vertx, "create", "org_a"));
    assertUsage("apikey list: unknown option --name", usageError(vertx, "list", "--org", "org_a", "--name", "x"));
    assertUsage("apikey: unknown command 'rotate'", usageError(vertx, "rotate"));
    assertUsage("apikey: which one? create, list or revoke", usageError(vertx));
    assertUsage("apikey revoke: the ID of the key is required (apikey list shows it)", usageError(vertx, "revoke"));
    assertUsage("apikey revoke: unexpected argument 'x'", usageError(vertx, "revoke", "3f1c4f0e-2a57-4d36-9c38-1b7d5f6a9e01", "x"));
  }

  @Test
  void aBadValueIsNamed(Vertx vertx) {
    assertTrue(usageError(vertx, "create", "--org", "user_123").contains("--org must be a Clerk organization id"));
    assertTrue(usageError(vertx, "create", "--org", "org_a", "--scopes", "me:read,,x").contains("scope ''"));
    assertTrue(usageError(vertx, "revoke", "not-a-uuid").contains("is not an api key id"));
  }

  @Test
  void helpIsTheUsageAndNeedsNoDatabase(Vertx vertx) {
    AppConfig withoutDatabase = TestConfig.config(TestConfig.envWithoutDatabase());
    for (String help : List.of("--help", "-h", "help")) {
      assertEquals(ApiKeyCommand.USAGE,
          await(ApiKeyCommand.run(vertx, withoutDatabase, new String[] {"apikey", help})), help);
    }
    assertEquals(ApiKeyCommand.USAGE,
        await(ApiKeyCommand.run(vertx, withoutDatabase, new String[] {"apikey", "create", "--help"})));
  }

  private static void assertUsage(String problem, String message) {
    List<String> lines = message.lines().toList();
    assertEquals(problem, lines.get(0));
    assertEquals(ApiKeyCommand.USAGE, String.join("\n", lines.subList(1, lines.size())));
  }

  private static String usageError(Vertx vertx, String... args) {
    CompletionException failure = assertThrows(CompletionException.class, () -> ApiKeyCli.run(vertx, args));
    assertInstanceOf(IllegalArgumentException.class, failure.getCause());
    return failure.getCause().getMessage();
  }
}
