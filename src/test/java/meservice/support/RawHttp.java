package meservice.support;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand on a socket: any method, request target, version and header bytes,
 * which {@code java.net.http} refuses to send. Reads one answer.
 */
public final class RawHttp {

  /** One response; header names lower-case. */
  public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(text());
    }
  }

  private RawHttp() {}

  /**
   * Sends {@code request} and reads one answer (for a {@code HEAD}, its head only); {@code null}
   * when the server closed the connection without answering.
   */
  public static Answer exchange(int port, byte[] request, boolean head) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream(), head);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Answer read(InputStream in, boolean head) throws IOException {
    int status;
    Map<String, List<String>> headers;
    do {
      String statusLine;
      try {
        statusLine = line(in);
      } catch (SocketException reset) {
        return null;
      }
      if (statusLine == null) {
        return null;
      }
      status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      headers = new LinkedHashMap<>();
      for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
      // An interim answer (100 Continue) comes before the one that counts.
    } while (status >= 100 && status < 200);
    if (head || status == 204 || status == 304) {
      return new Answer(status, headers, new byte[0]);
    }
    List<String> length = headers.get("content-length");
    List<String> encoding = headers.get("transfer-encoding");
    byte[] body;
    if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
      body = chunked(in);
    } else if (length != null) {
      body = in.readNBytes(Integer.parseInt(length.get(0)));
    } else {
      body = in.readAllBytes();
    }
    return new Answer(status, headers, body);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (n == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(n));
      line(in);
    }
  }

  /** A line without its CRLF; {@code null} at the end of the stream before any byte. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
