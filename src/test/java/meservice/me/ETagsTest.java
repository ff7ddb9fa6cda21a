package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import meservice.identity.Ids;
import meservice.identity.Principal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Strong ETags of the Me state and the two conditions that read them. */
@Tag("unit")
class ETagsTest {

  private static final UUID ORG = UUID.fromString("5d1c3f0e-2a57-4d36-9c38-1b7d5f6a9e01");

  private final ETags etags = new ETags(Preferences.REGISTRY);
  private final Principal.ClerkUser alice = user("user_alice", ORG, List.of("me:read", "me:write"));

  @Test
  void aTagIsAQuotedVersionAndFingerprintThatDependsOnlyOnItsInputs() {
    String tag = etags.of(alice, 7);

    assertTrue(tag.matches("\"7-[A-Za-z0-9_-]{16}\""), tag);
    assertEquals(tag, etags.of(alice, 7));
    assertEquals(tag, new ETags(Preferences.REGISTRY).of(user("user_alice", ORG, List.of("me:read", "me:write")), 7));
  }

  @Test
  void everyPartOfTheRepresentationChangesTheTag() {
    String tag = etags.of(alice, 7);

    assertNotEquals(tag, etags.of(alice, 8), "version");
    assertNotEquals(tag, etags.of(user("user_bob", ORG, alice.scopes()), 7), "user");
    assertNotEquals(tag, etags.of(user("user_alice", null, alice.scopes()), 7), "organization");
    assertNotEquals(tag, etags.of(user("user_alice", ORG, List.of("me:read")), 7), "scopes");
    assertNotEquals(tag, etags.of(new Principal.ApiKey(UUID.randomUUID(), ORG, alice.scopes()), 7), "an API key");
    Preferences another = new Preferences(List.of(new TimezonePreference(), new TimezoneLike("tz2")));
    assertNotEquals(tag, new ETags(another).of(alice, 7), "the preference registry");
  }

  @Test
  void ifNoneMatchUsesWeakComparisonAndStarMatchesAnything() {
    String current = etags.of(alice, 3);
    String opaque = current.substring(1, current.length() - 1);

    assertTrue(ETags.noneMatchFails(current, current));
    assertTrue(ETags.noneMatchFails("W/" + current, current));
    assertTrue(ETags.noneMatchFails("\"other\", " + current, current));
    assertTrue(ETags.noneMatchFails(" * ", current));
    assertFalse(ETags.noneMatchFails(null, current));
    assertFalse(ETags.noneMatchFails(etags.of(alice, 2), current));
    assertFalse(ETags.noneMatchFails(opaque, current), "an unquoted tag is no entity tag");
  }

  @Test
  void ifMatchAcceptsTheVersionsOfThisCallersStrongTags() {
    String v3 = etags.of(alice, 3);
    String v5 = etags.of(alice, 5);

    assertNull(etags.acceptedVersions(null, alice), "no condition");
    assertNull(etags.acceptedVersions("*", alice), "the representation always exists");
    assertEquals(List.of(3L), etags.acceptedVersions(v3, alice));
    assertEquals(List.of(3L, 5L), etags.acceptedVersions(v3 + ", " + v5, alice));
    assertEquals(List.of(), etags.acceptedVersions("W/" + v3, alice), "weak tags never match If-Match");
    assertEquals(List.of(), etags.acceptedVersions(v3, user("user_bob", ORG, alice.scopes())), "another caller's tag");
    assertEquals(List.of(), etags.acceptedVersions("\"garbage\"", alice));
  }

  private static Principal.ClerkUser user(String sub, UUID org, List<String> scopes) {
    return new Principal.ClerkUser(sub, Ids.userId(sub), org, scopes);
  }

  /** The timezone rule under another key: a registry with one more preference. */
  private static final class TimezoneLike implements Preference {
    private final TimezonePreference timezone = new TimezonePreference();
    private final String key;

    TimezoneLike(String key) {
      this.key = key;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public io.vertx.core.json.JsonObject schema() {
      return timezone.schema();
    }

    @Override
    public io.vertx.core.json.JsonObject documentation() {
      return timezone.documentation();
    }

    @Override
    public String typeMessage() {
      return timezone.typeMessage();
    }

    @Override
    public Object defaultValue() {
      return null;
    }

    @Override
    public Object normalize(Object value) {
      return timezone.normalize(value);
    }
  }
}
