package meservice.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import meservice.resources.PackagedResources;

/**
 * {@code GET /docs}: the API reference page, Swagger UI rendering {@code /openapi.json}. Every asset
 * comes from the jar (the swagger-ui webjar and {@code resources/docs}), held in memory from
 * start-up, so no request touches the file system or another host. Assets live under a path named
 * by a hash of their bytes: cached for a year, replaced by a new path when any of them changes;
 * the page itself is revalidated on every load. Scripts and the stylesheet are also held gzipped
 * (the bundle goes from 1.7 MB to about 0.5 MB on the wire), compressed once, never per request.
 */
public final class Docs {

  /** Only this origin's scripts, styles, images and fetches; Swagger UI sets inline style attributes. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
      + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
      + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

  /** {@code gzipped} is null for what does not compress (images). */
  private record Asset(String contentType, Buffer bytes, Buffer gzipped) {

    static Asset text(String contentType, Buffer bytes) {
      return new Asset(contentType, bytes, gzip(bytes));
    }
  }

  private final Buffer page;
  private final Map<String, Asset> assets;

  private Docs(Buffer page, Map<String, Asset> assets) {
    this.page = page;
    this.assets = assets;
  }

  /** Reads the page and its assets from the classpath; call at start-up, off the event loop. */
  public static Docs load() {
    String swaggerUi = WEBJAR + swaggerUiVersion() + "/";
    Map<String, Asset> byName = new LinkedHashMap<>();
    byName.put("swagger-ui-bundle.js", Asset.text("text/javascript; charset=utf-8", read(swaggerUi + "swagger-ui-bundle.js")));
    byName.put("swagger-ui.css", Asset.text("text/css; charset=utf-8", read(swaggerUi + "swagger-ui.css")));
    byName.put("favicon-32x32.png", new Asset("image/png", read(swaggerUi + "favicon-32x32.png"), null));
    byName.put("docs.js", Asset.text("text/javascript; charset=utf-8", read("/docs/docs.js")));
    String fingerprint = fingerprint(byName);
    Map<String, Asset> byPath = new LinkedHashMap<>();
    byName.forEach((name, asset) -> byPath.put("/docs/" + fingerprint + "/" + name, asset));
    String html = read("/docs/index.html").toString(StandardCharsets.UTF_8).replace("{{assets}}", fingerprint);
    return new Docs(Buffer.buffer(html), Map.copyOf(byPath));
  }

  /** The path of every asset, to be routed to {@link #asset}. */
  public Iterable<String> assetPaths() {
    return assets.keySet();
  }

  public void page(RoutingContext rc) {
    rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page);
  }

  /**
   * The asset at the request's path. The router also routes an asset's path with a trailing slash
   * (or other spellings it normalizes to the route); those are not assets: 404 like any unknown path.
   */
  public void asset(RoutingContext rc) {
    Asset asset = assets.get(rc.normalizedPath());
    if (asset == null) {
      rc.next();
      return;
    }
    var response = rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (asset.gzipped() == null) {
      response.end(asset.bytes());
      return;
    }
    response.putHeader(HttpHeaders.VARY, "Accept-Encoding");
    if (acceptsGzip(rc.request().getHeader(HttpHeaders.ACCEPT_ENCODING))) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip").end(asset.gzipped());
    } else {
      response.end(asset.bytes());
    }
  }

  /** {@code gzip} listed, and not refused with {@code q=0} (RFC 9110 12.5.3). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
      String[] parts = coding.split(";");
      if (parts[0].trim().equals("gzip")) {
        for (int i = 1; i < parts.length; i++) {
          String parameter = parts[i].replace(" ", "");
          if (parameter.startsWith("q=") && parameter.substring(2).matches("0(\\.0{0,3})?")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  private static String swaggerUiVersion() {
    Properties properties = new Properties();
    try (InputStream in = new ByteArrayInputStream(PackagedResources.bytes(WEBJAR_PROPERTIES))) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static String fingerprint(Map<String, Asset> assets) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      assets.forEach((name, asset) -> {
        sha256.update(name.getBytes(StandardCharsets.UTF_8));
        sha256.update(asset.bytes().getBytes());
      });
      return HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Buffer gzip(Buffer bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length() / 3);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static Buffer read(String resource) {
    return Buffer.buffer(PackagedResources.bytes(resource));
  }
}
