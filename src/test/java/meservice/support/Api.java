package meservice.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain HTTP client for the service under test: real sockets, real bytes. */
public final class Api {

  public record Response(int status, HttpHeaders headers, String text) {
    public JsonObject json() {
      return new JsonObject(text);
    }

    public JsonObject data() {
      return json().getJsonObject("data");
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final int port;
  private final int managementPort;

  public Api(int port) {
    this(port, -1);
  }

  /** Also reaches the service's management port ({@link #metrics()}, {@link #management}). */
  public Api(int port, int managementPort) {
    this.port = port;
    this.managementPort = managementPort;
  }

  /** The API port. */
  public int port() {
    return port;
  }

  /** {@code GET /metrics}, which only the management port serves. */
  public Response metrics() {
    return management().send("GET", "/metrics", Map.of(), null);
  }

  /** The same client on the management port. */
  public Api management() {
    if (managementPort < 0) {
      throw new IllegalStateException("this Api was made without the management port");
    }
    return new Api(managementPort);
  }

  public Response get(String token) {
    return send("GET", "/v1/me", token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), null);
  }

  public Response patch(String token, String json) {
    return send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), json);
  }

  public Response send(String method, String path, Map<String, String> headers, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
