package meservice.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one way the service hashes: a {@link MessageDigest} per thread, made once, since
 * {@code MessageDigest.getInstance} walks the security providers on every call and an event loop
 * hashes on every request (token cache keys, API key lookups).
 */
public final class Digests {

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> create("SHA-256"));
  private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> create("SHA-1"));
  private static final int CHUNK = 1024;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[CHUNK]);

  private Digests() {}

  public static byte[] sha256(byte[] input) {
    return SHA256.get().digest(input);
  }

  public static byte[] sha256(String input) {
    return sha256(input.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * SHA-256 of the ISO-8859-1 bytes of {@code input}, through a scratch buffer: no byte array the
   * size of the input. For header values, whose characters are bytes (Netty decodes them as
   * ISO-8859-1): each character's low byte is the byte itself. Hashes {@code input}'s characters
   * from {@code start} to {@code end} (exclusive). A copy per call, of the header or of the token,
   * measured slower on the warm path (bench/jmh {@code AuthBenchmark.warmHeader}).
   */
  @SuppressWarnings("deprecation") // exact for Latin-1; the only String-to-bytes copy into a reused buffer
  public static byte[] sha256Latin1(String input, int start, int end) {
    MessageDigest sha256 = SHA256.get();
    byte[] scratch = SCRATCH.get();
    for (int from = start; from < end; from += CHUNK) {
      int to = Math.min(end, from + CHUNK);
      input.getBytes(from, to, scratch, 0);
      sha256.update(scratch, 0, to - from);
    }
    return sha256.digest();
  }

  /** The first 64 bits of the SHA-256 of {@code input}: a fingerprint, not a secret. */
  public static long sha256Prefix(String input) {
    byte[] digest = sha256(input);
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (digest[i] & 0xff);
    }
    return prefix;
  }

  /** SHA-1 of the parts, in order: only for name-based UUIDs (RFC 4122 version 5 specifies it). */
  public static byte[] sha1(byte[]... parts) {
    MessageDigest sha1 = SHA1.get();
    for (byte[] part : parts) {
      sha1.update(part);
    }
    return sha1.digest();
  }

  private static MessageDigest create(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has " + algorithm, e);
    }
  }
}
