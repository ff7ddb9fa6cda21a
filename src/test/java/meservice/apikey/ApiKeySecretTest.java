package meservice.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import meservice.support.Tokens;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shape of a key: what tells it from a session token, and what makes it well-formed. */
@Tag("unit")
class ApiKeySecretTest {

  @Test
  void generatedKeysAreWellFormedAndDistinct() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String key = ApiKeySecret.generate();
      assertTrue(ApiKeySecret.isWellFormed(key), key);
      assertEquals(47, key.length());
      keys.add(key);
    }
    assertEquals(1000, keys.size());
  }

  @Test
  void aSessionTokenIsNeverTakenForAKey() {
    assertFalse(ApiKeySecret.isApiKey(Tokens.session(Tokens.newUserId()), 0));
    assertTrue(ApiKeySecret.isApiKey("Bearer " + ApiKeySecret.generate(), 7));
  }

  @Test
  void theHashIsOfTheWholeKey() {
    String key = ApiKeySecret.generate();
    String other = key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");

    assertEquals(32, ApiKeySecret.hash(key).length);
    assertFalse(java.util.Arrays.equals(ApiKeySecret.hash(key), ApiKeySecret.hash(other)));
  }
}
