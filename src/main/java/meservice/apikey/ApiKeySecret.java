package meservice.apikey;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import meservice.crypto.Digests;

/**
 * The shape of an API key: {@code mek_} followed by 43 base62 characters (256 random bits).
 * The prefix tells a key from a Clerk JWT (which always starts with {@code ey}) before either is
 * parsed, so neither is ever verified as the other.
 */
public final class ApiKeySecret {

  public static final String PREFIX = "mek_";
  /** 62^43 > 2^256. */
  static final int RANDOM_CHARS = 43;
  /** How much of a key {@code apikey list} shows: the prefix and 8 characters (about 48 bits). */
  static final int DISPLAY_CHARS = PREFIX.length() + 8;

  private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeySecret() {}

  /** Whether the bearer credential starting at {@code start} of {@code text} is meant as an API key (well-formed or not). */
  public static boolean isApiKey(String text, int start) {
    return text.startsWith(PREFIX, start);
  }

  static String generate() {
    StringBuilder key = new StringBuilder(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return key.toString();
  }

  static boolean isWellFormed(String key) {
    if (key.length() != PREFIX.length() + RANDOM_CHARS || !key.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < key.length(); i++) {
      if (ALPHABET.indexOf(key.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** SHA-256 of the whole key: enough for 256 random bits, and cheap enough for an event loop. */
  static byte[] hash(String key) {
    return Digests.sha256(key.getBytes(StandardCharsets.US_ASCII));
  }

  static String displayPrefix(String key) {
    return key.substring(0, DISPLAY_CHARS);
  }
}
