package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.App;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.ServedWithJwks;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on the Vert.x instance {@code serve} uses ({@link App#vertx()}), with keys
 * from a local JWKS so the refresh counter has something to count.
 */
class MetricsTest {

  private static ServedWithJwks service;
  private static Api api;

  @BeforeAll
  static void start() {
    service = ServedWithJwks.start();
    api = service.api();
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void requestsJustMadeAreCountedByRouteAndStatus() {
    String getMe = "method=\"GET\",route=\"/v1/me\",status=\"200\"";
    String before = scrape();
    for (int i = 0; i < 3; i++) {
      assertEquals(200, api.get(Tokens.session(Tokens.newUserId())).status());
    }
    api.send("GET", "/no/such/route/qzxqzx", Map.of(), null);

    String text = scrape();

    assertEquals(sample(before, "http_server_requests_seconds_count", getMe) + 3,
        sample(text, "http_server_requests_seconds_count", getMe));
    // Each answer took well under 5 s: all three fall in the 5 s latency bucket, and in +Inf.
    assertEquals(sample(before, "http_server_requests_seconds_bucket", getMe + ",le=\"5.0\"") + 3,
        sample(text, "http_server_requests_seconds_bucket", getMe + ",le=\"5.0\""));
    assertEquals(sample(text, "http_server_requests_seconds_count", getMe),
        sample(text, "http_server_requests_seconds_bucket", getMe + ",le=\"+Inf\""));
    assertEquals(sample(before, "http_server_requests_seconds_count", "method=\"GET\",route=\"unmatched\",status=\"404\"") + 1,
        sample(text, "http_server_requests_seconds_count", "method=\"GET\",route=\"unmatched\",status=\"404\""));
    assertFalse(text.contains("qzxqzx"), "raw paths never become labels");
  }

  @Test
  void authFailuresAreCountedByAFixedReasonAndNeverByToken() {
    String before = scrape();
    String expired = Tokens.sign(Tokens.claims(Tokens.newUserId()).put("exp", Tokens.now() - 3600));
    assertEquals(401, api.get(expired).status());
    assertEquals(401, api.get(null).status());

    String text = scrape();

    assertEquals(sample(before, "auth_failures_total", "reason=\"expired\"") + 1,
        sample(text, "auth_failures_total", "reason=\"expired\""));
    assertEquals(sample(before, "auth_failures_total", "reason=\"missing\"") + 1,
        sample(text, "auth_failures_total", "reason=\"missing\""));
    assertFalse(text.contains(expired.substring(0, 20)), "no token text in metrics");
  }

  @Test
  void poolJvmAndJwksMetricsArePresent() {
    assertEquals(200, api.get(Tokens.session(Tokens.newUserId())).status());

    String text = scrape();

    assertTrue(text.contains("vertx_pool_in_use{pool_name=\"me-service\",pool_type=\"sql\"}"), "pool usage");
    assertTrue(text.contains("vertx_pool_queue_pending{pool_name=\"me-service\",pool_type=\"sql\"}"), "pool wait queue");
    assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM memory");
    assertTrue(text.contains("jvm_gc_"), "JVM GC");
    assertTrue(sample(text, "jwks_refreshes_total", "outcome=\"success\"") >= 1, "JWKS fetched at start-up");
    assertTrue(text.contains("\nlog_lines_dropped_total "), "log lines dropped by the never-blocking appender");
    // The GET just made was read by at least one statement of the batched read (ReadBatchesTest counts them).
    assertTrue(sample(text, "db_read_batch_size_count") >= 1, "read statements of GET /v1/me");
    assertTrue(sample(text, "db_read_batch_size_sum") >= 1, "reads carried by them");
    assertTrue(text.contains("\ndb_read_batch_size_max "), "the largest batch lately");
  }

  @Test
  void metricsAreServedAsPrometheusTextWithoutAuthentication() {
    Response response = api.metrics();

    assertEquals(200, response.status());
    assertTrue(response.header("Content-Type").startsWith("text/plain; version=0.0.4"));
  }

  private static String scrape() {
    return api.metrics().text();
  }

  /** The value of the unlabelled sample {@code name}, 0 when it is absent. */
  private static double sample(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The value of the sample {@code name{labels}}, 0 when it is absent. */
  private static double sample(String text, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
