package meservice.http;

import java.util.concurrent.ThreadLocalRandom;

/** ULIDs (https://github.com/ulid/spec): 48-bit millisecond time + 80 random bits, Crockford base32. */
public final class Ulid {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final byte[] DECODE = new byte[128];

  static {
    java.util.Arrays.fill(DECODE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      DECODE[ALPHABET[i]] = (byte) i;
      DECODE[Character.toLowerCase(ALPHABET[i])] = (byte) i;
    }
  }

  private Ulid() {}

  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return encode(System.currentTimeMillis(), random.nextLong(), random.nextLong());
  }

  static String encode(long millis, long randomHigh, long randomLow) {
    char[] out = new char[26];
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    // 80 random bits: 16 from randomHigh, 64 from randomLow, 16 characters of 5 bits.
    long hi = randomHigh & 0xFFFF;
    long lo = randomLow;
    for (int i = 25; i >= 10; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo = (lo >>> 5) | ((hi & 31) << 59);
      hi >>>= 5;
    }
    return new String(out);
  }

  /** The canonical (upper-case) form of {@code candidate} when it is a ULID, else {@code null}. */
  public static String canonical(String candidate) {
    if (candidate == null || candidate.length() != 26) {
      return null;
    }
    char[] out = new char[26];
    for (int i = 0; i < 26; i++) {
      char c = candidate.charAt(i);
      if (c >= 128 || DECODE[c] < 0) {
        return null;
      }
      out[i] = ALPHABET[DECODE[c]];
    }
    // 26 characters carry 130 bits; a ULID has 128, so the first character is at most 7.
    return out[0] <= '7' ? new String(out) : null;
  }
}
