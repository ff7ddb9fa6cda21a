package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.zip.GZIPInputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.support.Api.Response;
import meservice.RoutesOnly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /docs} over real HTTP: the page, its headers, and every asset it names served by the service itself. */
class DocsTest {

  @RegisterExtension
  static final RoutesOnly service = RoutesOnly.withDefaults();

  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]+)\"");

  @Test
  void thePageIsHtmlRevalidatedOnEveryLoadUnderAStrictContentSecurityPolicy() {
    Response page = get("/docs");

    assertEquals(200, page.status());
    assertEquals("text/html; charset=utf-8", page.header("Content-Type"));
    assertEquals("no-cache", page.header("Cache-Control"));
    String csp = page.header("Content-Security-Policy");
    assertTrue(csp.startsWith("default-src 'none'; script-src 'self';"), csp);
    assertFalse(csp.contains("unsafe-eval"), csp);
    assertEquals("nosniff", page.header("X-Content-Type-Options"));
    assertTrue(page.header("X-Request-Id") != null);
  }

  @Test
  void everyAssetThePageNamesComesFromTheServiceAndIsCachedForAYear() {
    List<String> references = new ArrayList<>();
    Matcher m = REFERENCE.matcher(get("/docs").text());
    while (m.find()) {
      references.add(m.group(1));
    }

    assertEquals(4, references.size(), references.toString());
    for (String reference : references) {
      assertTrue(reference.startsWith("/docs/"), "served from this origin: " + reference);
      Response asset = get(reference);
      assertEquals(200, asset.status(), reference);
      assertEquals("public, max-age=31536000, immutable", asset.header("Cache-Control"), reference);
      assertTrue(asset.text().length() > 100, reference);
    }
    assertTrue(get(references.get(2)).header("Content-Type").startsWith("text/javascript"));
    assertTrue(get(references.get(1)).header("Content-Type").startsWith("text/css"));
  }

  @Test
  void theScriptRendersTheServedDocumentWithoutTheExternalValidator() {
    Matcher m = REFERENCE.matcher(get("/docs").text());
    String script = null;
    while (m.find()) {
      script = m.group(1);
    }
    String text = get(script).text();
    assertTrue(text.contains("url: \"/openapi.json\""), text);
    assertTrue(text.contains("validatorUrl: null"), text);
  }

  @Test
  void theBundleIsSentGzippedToAClientThatAcceptsItAndPlainToOneThatDoesNot() throws Exception {
    Matcher m = REFERENCE.matcher(get("/docs").text());
    List<String> references = new ArrayList<>();
    while (m.find()) {
      references.add(m.group(1));
    }
    String bundle = references.get(2);
    assertTrue(bundle.endsWith("/swagger-ui-bundle.js"), bundle);

    HttpResponse<byte[]> plain = fetch(bundle, "identity");
    HttpResponse<byte[]> gzipped = fetch(bundle, "gzip, deflate, br");

    assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
    assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null));
    assertEquals("Accept-Encoding", gzipped.headers().firstValue("Vary").orElse(null));
    assertTrue(gzipped.body().length * 2 < plain.body().length,
        gzipped.body().length + " bytes gzipped, " + plain.body().length + " plain");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      assertTrue(java.util.Arrays.equals(plain.body(), in.readAllBytes()), "the same script");
    }
  }

  @Test
  void gzipIsAcceptedWhenListedAndNotRefused() {
    assertTrue(Docs.acceptsGzip("gzip"));
    assertTrue(Docs.acceptsGzip("deflate, GZIP;q=0.5, br"));
    assertFalse(Docs.acceptsGzip(null));
    assertFalse(Docs.acceptsGzip("br, deflate"));
    assertFalse(Docs.acceptsGzip("gzip;q=0"));
    assertFalse(Docs.acceptsGzip("gzip; q=0.000"));
    assertFalse(Docs.acceptsGzip("x-gzip"));
  }

  @Test
  void anAssetUnderAnotherFingerprintIs404() {
    Response response = get("/docs/0000000000000000/swagger-ui-bundle.js");

    assertEquals(404, response.status());
    assertEquals("NOT_FOUND", response.error().getString("code"));
  }

  @Test
  void anAssetPathWithATrailingSlashIs404InTheEnvelope() {
    Matcher m = REFERENCE.matcher(get("/docs").text());
    assertTrue(m.find());
    for (String suffix : new String[] {"/", "//", "/."}) {
      Response response = get(m.group(1) + suffix);

      assertEquals(404, response.status(), m.group(1) + suffix + ": " + response.text());
      assertEquals("NOT_FOUND", response.error().getString("code"));
      assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
    }
  }

  private static HttpResponse<byte[]> fetch(String path, String acceptEncoding) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.api().port() + path))
        .header("Accept-Encoding", acceptEncoding).build();
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    return response;
  }

  private static Response get(String path) {
    return service.api().send("GET", path, Map.of(), null);
  }
}
