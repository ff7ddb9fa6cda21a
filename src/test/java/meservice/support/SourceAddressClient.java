package meservice.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a socket bound to a chosen loopback source address (127.0.0.2, 127.0.0.3, ...),
 * so one test can be several clients as the service sees them; {@link Api}'s client cannot bind.
 * One request per connection ({@code Connection: close}).
 */
public final class SourceAddressClient {

  private final InetAddress source;
  private final int port;

  public SourceAddressClient(String sourceAddress, int port) {
    try {
      this.source = InetAddress.getByName(sourceAddress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = port;
  }

  public Api.Response get(String credential, Map<String, String> headers) {
    Map<String, String> all = new TreeMap<>(headers);
    if (credential != null) {
      all.put("Authorization", "Bearer " + credential);
    }
    return send("GET", "/v1/me", all, null);
  }

  public Api.Response patch(String credential, String json) {
    return send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + credential,
        "Content-Type", "application/json"), json);
  }

  public Api.Response send(String method, String path, Map<String, String> headers, String body) {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(20_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n")
          .append("Content-Length: ").append(payload.length).append("\r\n");
      headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      OutputStream out = socket.getOutputStream();
      out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(payload);
      out.flush();
      return parse(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server closes after the answer, so the answer is everything up to end of stream. */
  private static Api.Response parse(InputStream in) throws IOException {
    String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    int end = raw.indexOf("\r\n\r\n");
    String[] lines = raw.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    return new Api.Response(status, HttpHeaders.of(headers, (a, b) -> true), raw.substring(end + 4));
  }
}
