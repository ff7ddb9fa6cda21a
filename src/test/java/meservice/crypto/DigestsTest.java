package meservice.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class DigestsTest {

  /** Lengths around the scratch buffer's chunk (1024): empty, one byte, exact chunks, one over. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1023, 1024, 1025, 2048, 8192 + 7})
  void hashingATokenThroughTheScratchBufferEqualsHashingItsBytes(int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      // Every byte value a header can carry, Latin-1 included.
      text.append((char) ((i * 31 + 7) % 256));
    }
    String input = text.toString();
    assertArrayEquals(Digests.sha256(input.getBytes(StandardCharsets.ISO_8859_1)), Digests.sha256Latin1(input, 0, length));
    String framed = "Bearer " + input + "  ";
    assertArrayEquals(Digests.sha256Latin1(input, 0, length), Digests.sha256Latin1(framed, 7, 7 + length),
        "a range hashes like the substring it spans");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 1024, 1500})
  void aChangeInTheLastCharacterChangesTheDigest(int length) {
    char[] chars = new char[length];
    Arrays.fill(chars, 'a');
    byte[] before = Digests.sha256Latin1(new String(chars), 0, length);
    chars[length - 1] = 'b';
    assertFalse(Arrays.equals(before, Digests.sha256Latin1(new String(chars), 0, length)));
  }
}
