package meservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class UlidTest {

  @Test
  void encodesTimeInTheFirstTenCharacters() {
    assertEquals("01ARZ3NDEK", Ulid.encode(1469922850259L, 0, 0).substring(0, 10));
  }

  @Test
  void encodesAllEightyRandomBitsInTheLastSixteenCharacters() {
    assertEquals("0000000000" + "ZZZZZZZZZZZZZZZZ", Ulid.encode(0, -1L, -1L));
    assertEquals("0000000000" + "0000000000000001", Ulid.encode(0, 0, 1));
    assertEquals("0000000000" + "0000000000000010", Ulid.encode(0, 0, 32));
    assertEquals("0000000000" + "000G000000000000", Ulid.encode(0, 1, 0), "bit 64 is 2^4 in the 13th character");
  }

  @Test
  void newIdsSortByCreationTime() throws Exception {
    String first = Ulid.next();
    Thread.sleep(2);
    String second = Ulid.next();

    assertTrue(first.compareTo(second) < 0, first + " then " + second);
  }

  @Test
  void lowerCaseIsCanonicalisedAndInvalidIsRejected() {
    assertEquals("01ARZ3NDEKTSV4RRFFQ69G5FAV", Ulid.canonical("01arz3ndektsv4rrffq69g5fav"));
    assertNull(Ulid.canonical("01ARZ3NDEKTSV4RRFFQ69G5FAU"), "U is not Crockford base32");
    assertNull(Ulid.canonical("81ARZ3NDEKTSV4RRFFQ69G5FAV"), "over 128 bits");
    assertNull(Ulid.canonical("01ARZ3NDEK"));
    assertNull(Ulid.canonical(null));
  }
}
