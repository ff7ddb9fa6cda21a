package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CLERK_JWKS_URL}: keys fetched once, cached, and refetched when a token names a
 * {@code kid} the cache lacks, at most once per {@code JWKS_MIN_REFETCH_SECONDS} so that a flood of
 * forged kids cannot turn into a flood of requests to Clerk. Shared by every event loop.
 */
public final class JwksKeySource implements KeySource {

  private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final String url;
  private final List<String> algorithms;
  private final long minRefetchMillis;

  private volatile SigningKeys current;
  private long lastFetchMillis = Long.MIN_VALUE / 2;
  private Future<SigningKeys> inFlight;
  private final AtomicLong fetchesSucceeded = new AtomicLong();
  private final AtomicLong fetchesFailed = new AtomicLong();

  public JwksKeySource(Vertx vertx, HttpClient client, String url, List<String> algorithms,
      long minRefetchMillis) {
    this.vertx = vertx;
    this.minRefetchMillis = minRefetchMillis;
    this.client = client;
    this.url = url;
    this.algorithms = algorithms;
  }

  @Override
  public Future<SigningKeys> keysFor(String kid) {
    SigningKeys keys = current;
    if (keys != null && keys.has(kid)) {
      return Future.succeededFuture(keys);
    }
    return refresh();
  }

  @Override
  public SigningKeys current() {
    return current;
  }

  /** Fetches unless a fetch is running (joins it) or ran too recently (answers the cache). */
  public synchronized Future<SigningKeys> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = System.currentTimeMillis();
    if (now - lastFetchMillis < minRefetchMillis) {
      return Future.succeededFuture(current);
    }
    lastFetchMillis = now;
    Future<SigningKeys> fetch = fetch()
        .map(keys -> {
          if (keys.sameKeysAs(current)) {
            return current;
          }
          current = keys;
          fetchesSucceeded.incrementAndGet();
          LOG.info("loaded signing keys from JWKS, kids={}", keys.kids);
          return keys;
        })
        .recover(err -> {
          fetchesFailed.incrementAndGet();
          LOG.warn("JWKS fetch from {} failed: {}", url, err.getMessage());
          return Future.succeededFuture(current);
        });
    inFlight = fetch;
    fetch.onComplete(ar -> clearInFlight());
    return fetch;
  }

  /** For {@code jwks_refreshes_total}. */
  public double fetchesSucceeded() {
    return fetchesSucceeded.get();
  }

  public double fetchesFailed() {
    return fetchesFailed.get();
  }

  private synchronized void clearInFlight() {
    inFlight = null;
  }

  private Future<SigningKeys> fetch() {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(url)
        .setConnectTimeout(3_000)
        .setIdleTimeout(5_000)
        .putHeader("Accept", "application/json");
    return client.request(request)
        .compose(req -> req.send())
        .compose(this::body)
        .map(body -> {
          SigningKeys keys = SigningKeys.fromJwks(vertx, new JsonObject(body), algorithms);
          if (keys == null) {
            throw new IllegalStateException("JWKS holds no usable RSA signing key");
          }
          return keys;
        });
  }

  private Future<io.vertx.core.buffer.Buffer> body(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture("JWKS answered HTTP " + response.statusCode());
    }
    return response.body();
  }
}
