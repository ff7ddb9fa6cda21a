package meservice.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import meservice.config.AppConfig;

/**
 * {@code healthcheck}: the container's HEALTHCHECK without curl in the image. Its own short-lived
 * process, so a blocking request is fine: 0 when {@code /health/live} on this host answers 200.
 */
public final class HealthCheckCommand {

  private HealthCheckCommand() {}

  public static int run(AppConfig config) {
    URI uri = URI.create("http://127.0.0.1:" + config.http().port() + "/health/live");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      HttpResponse<Void> response = client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() == 200) {
        return 0;
      }
      System.err.println("me-service: " + uri + " answered " + response.statusCode());
    } catch (Exception e) {
      System.err.println("me-service: " + uri + " unreachable: " + e);
    }
    return 1;
  }
}
