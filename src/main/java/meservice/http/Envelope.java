package meservice.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** The one envelope writer: every body the service sends under /v1, and every error, goes out here. */
public final class Envelope {

  static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final JsonFactory JSON_WRITER = new JsonFactory();
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence BEARER = HttpHeaders.createOptimized("Bearer");

  private Envelope() {}

  /** A success's {@code data}, written by its owner straight into the envelope's body. */
  @FunctionalInterface
  public interface Data {
    void writeTo(JsonGenerator json) throws IOException;
  }

  public static void ok(RoutingContext rc, JsonObject data) {
    ok(rc, json -> JacksonCodec.encodeJson(data, json));
  }

  /** The hot path's payload ({@code GET /v1/me}) writes its fields directly: no map is built for it. */
  public static void ok(RoutingContext rc, Data data) {
    send(rc.response(), 200, true, "data", data);
  }

  public static void error(RoutingContext rc, ApiError error) {
    error(rc.response(), RequestId.of(rc), error);
  }

  /** Also for answers written outside the router, such as requests Netty could not decode. */
  public static void error(HttpServerResponse response, String requestId, ApiError error) {
    if (response.headWritten()) {
      // Too late for an envelope: the status line is gone. Closing tells the client it failed.
      response.reset();
      return;
    }
    JsonObject body = new JsonObject()
        .put("code", error.code.name())
        .put("message", error.getMessage())
        .put("request_id", requestId);
    if (!error.details.isEmpty()) {
      JsonObject details = new JsonObject();
      for (Map.Entry<String, String> entry : error.details.entrySet()) {
        details.put(entry.getKey(), entry.getValue());
      }
      body.put("details", details);
    }
    if (error.code == ErrorCode.UNAUTHORIZED) {
      response.putHeader(WWW_AUTHENTICATE, BEARER);
    } else if (error.code == ErrorCode.RATE_LIMITED || error.code == ErrorCode.UNAVAILABLE) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfterSeconds));
    }
    send(response, error.code.status(), false, "error", json -> JacksonCodec.encodeJson(body, json));
  }

  /**
   * {@code {"success": ..., "<member>": ...}}, every envelope's frame: one pass of one generator
   * into the buffer that is sent, with no map built for the frame.
   */
  private static void send(HttpServerResponse response, int status, boolean success, String member, Data content) {
    Buffer body = Buffer.buffer(256);
    try (JsonGenerator json = JSON_WRITER.createGenerator(new BufferOutput(body))) {
      json.writeStartObject();
      json.writeBooleanField("success", success);
      json.writeFieldName(member);
      content.writeTo(json);
      json.writeEndObject();
    } catch (IOException e) {
      throw new EncodeException(e.getMessage(), e);
    }
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body);
  }

  /** Jackson's generator buffers a whole small body and hands it over in one write. */
  private static final class BufferOutput extends OutputStream {
    private final Buffer buffer;

    BufferOutput(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void write(int b) {
      buffer.appendByte((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      buffer.appendBytes(bytes, offset, length);
    }
  }
}
