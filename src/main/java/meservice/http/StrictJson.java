package meservice.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * JSON as RFC 8259 has it, for untrusted input: no comments (Vert.x's default codec allows them)
 * and no duplicate member names, so no two parsers can read one document two ways.
 */
public final class StrictJson {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private StrictJson() {}

  /** A JsonObject, JsonArray, String, Number, Boolean or {@code null}. */
  public static Object decode(byte[] json) {
    try {
      return JacksonCodec.fromParser(FACTORY.createParser(json), Object.class);
    } catch (IOException e) {
      throw new DecodeException(e.getMessage(), e);
    }
  }
}
