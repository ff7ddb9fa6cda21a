package meservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.support.MainProcess;
import meservice.support.TestConfig;
import org.junit.jupiter.api.Test;

/** {@code serve} started, used and stopped as an operator would: nothing it prints is a warning. */
class CleanStartTest {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern WARNING = Pattern.compile("\\b(WARN|WARNING|ERROR)\\b");

  @Test
  void aCleanStartAndStopPrintNoWarning() throws Exception {
    Map<String, String> env = TestConfig.env();
    env.put("LOG_FORMAT", "text");
    MainProcess.Result result;
    try (MainProcess serve = MainProcess.start(env, "serve")) {
      serve.awaitOutput("listening on");
      // Readiness queries through the pool: the connections past the first register their meters too.
      int port = port(serve);
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ready = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
      }
      result = serve.stop();
    }

    assertTrue(result.stdout().contains("listening on"), result.output());
    assertEquals("", result.stderr(), "nothing on stderr");
    result.stdout().lines().forEach(line ->
        assertTrue(!WARNING.matcher(line).find(), "a clean start printed: " + line));
  }

  private static int port(MainProcess serve) {
    Matcher listening = LISTENING.matcher(serve.printed());
    assertTrue(listening.find(), serve.printed());
    return Integer.parseInt(listening.group(1));
  }
}
