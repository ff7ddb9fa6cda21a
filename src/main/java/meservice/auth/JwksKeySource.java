package meservice.auth;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import meservice.config.AppConfig;
import meservice.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CLERK_JWKS_URL}: keys fetched at start-up, then again every {@code JWKS_REFRESH_SECONDS}
 * (so a key Clerk withdrew stops being trusted within that time, and the verified-token cache
 * with it) and when a token names a {@code kid} the cache lacks, at most once per
 * {@code JWKS_MIN_REFETCH_SECONDS} so that a flood of forged kids cannot turn into a flood of
 * requests to Clerk. Until a first key set loads, and after a failed fetch, the timer retries every
 * {@code max(1 s, JWKS_MIN_REFETCH_SECONDS)}; readiness is 503 until a first key set loads and
 * once the last successful fetch is older than {@code JWKS_MAX_STALE_SECONDS} ({@link #notReady}).
 * A JWKS that lists no usable key is a successful fetch of an empty set: every token is refused.
 *
 * <p>Each fetch is bounded: {@link #FETCH_DEADLINE_MILLIS} in all (connect, headers, body: a server
 * that accepts and goes silent, or trickles, is cut) and {@link #MAX_BODY_BYTES} of body (more
 * is a failed fetch, read no further). A failed fetch keeps the keys already loaded.
 * Shared by every event loop.
 */
public final class JwksKeySource implements KeySource {

  public static final long FETCH_DEADLINE_MILLIS = 5_000;
  /** Clerk's JWKS holds a key or two (about 0.5 KiB each); 64 KiB is generous and still bounded. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final String url;
  private final List<String> algorithms;
  private final long minRefetchMillis;
  private final long refreshMillis;
  private final long deadlineMillis;
  private final int maxBodyBytes;

  private final long maxStaleMillis;

  private volatile SigningKeys current;
  private volatile long lastSuccessMillis;
  private volatile boolean lastFetchFailed;
  private long lastFetchMillis = Long.MIN_VALUE / 2;
  private Future<SigningKeys> inFlight;
  private long timerId = -1;
  private boolean stopped;
  private final AtomicLong fetchesSucceeded = new AtomicLong();
  private final AtomicLong fetchesFailed = new AtomicLong();

  public JwksKeySource(Vertx vertx, HttpClient client, AppConfig.Jwks settings, List<String> algorithms) {
    this(vertx, client, settings, algorithms, FETCH_DEADLINE_MILLIS, MAX_BODY_BYTES);
  }

  JwksKeySource(Vertx vertx, HttpClient client, AppConfig.Jwks settings, List<String> algorithms,
      long deadlineMillis, int maxBodyBytes) {
    this.maxStaleMillis = settings.maxStale().toMillis();
    this.vertx = vertx;
    this.client = client;
    this.url = settings.url();
    this.algorithms = algorithms;
    this.minRefetchMillis = settings.minRefetch().toMillis();
    this.refreshMillis = settings.refresh().toMillis();
    this.deadlineMillis = deadlineMillis;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The first fetch, then the timer. Never fails: without keys the service starts not ready. */
  @Override
  public Future<Void> start() {
    return fetchNow().onComplete(ar -> scheduleNext()).mapEmpty();
  }

  /** Stops the timer; a fetch under way finishes. */
  @Override
  public synchronized void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
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

  @Override
  public boolean requiresKid() {
    return true;
  }

  /** For an unknown kid: fetches unless one is running (joins it) or one ran too recently. */
  synchronized Future<SigningKeys> refresh() {
    if (inFlight == null && System.currentTimeMillis() - lastFetchMillis < minRefetchMillis) {
      return Future.succeededFuture(current);
    }
    return fetchNow();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("jwks.refreshes", this, JwksKeySource::fetchesSucceeded)
        .description("JWKS fetches from Clerk by outcome")
        .tag("outcome", "success")
        .register(registry);
    FunctionCounter.builder("jwks.refreshes", this, JwksKeySource::fetchesFailed)
        .description("JWKS fetches from Clerk by outcome")
        .tag("outcome", "failure")
        .register(registry);
    Gauge.builder("jwks.age", this, JwksKeySource::ageSeconds)
        .description("Seconds since the signing keys were last fetched successfully (readiness fails past JWKS_MAX_STALE_SECONDS)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** For {@code jwks_refreshes_total}. */
  public double fetchesSucceeded() {
    return fetchesSucceeded.get();
  }

  public double fetchesFailed() {
    return fetchesFailed.get();
  }

  /**
   * {@code null} while the keys in use came from a fetch at most {@code JWKS_MAX_STALE_SECONDS}
   * ago. Past that, readiness fails (an instance that cannot reach Clerk's keys for that long
   * should be noticed and taken out), while tokens are still verified with the last keys: they
   * are the best this instance knows, and a withdrawal is honoured by the next successful fetch.
   */
  @Override
  public String notReady() {
    if (current == null) {
      return "signing keys not loaded";
    }
    long age = System.currentTimeMillis() - lastSuccessMillis;
    return age > maxStaleMillis ? "signing keys last fetched " + age / 1000 + " s ago (JWKS_MAX_STALE_SECONDS "
        + maxStaleMillis / 1000 + ")" : null;
  }

  /** Seconds since the last successful fetch, for {@code jwks_age_seconds}; 0 before the first. */
  public double ageSeconds() {
    return current == null ? 0 : (System.currentTimeMillis() - lastSuccessMillis) / 1000.0;
  }

  private String staleness() {
    String reason = notReady();
    return reason == null ? "" : "; not ready: " + reason;
  }

  private synchronized void scheduleNext() {
    if (stopped) {
      return;
    }
    // After a failure, try again soon: the keys age towards JWKS_MAX_STALE_SECONDS meanwhile.
    long delay = current == null || lastFetchFailed ? Math.min(refreshMillis, Math.max(1_000, minRefetchMillis))
        : refreshMillis;
    timerId = vertx.setTimer(delay, id -> fetchNow().onComplete(ar -> scheduleNext()));
  }

  /** Joins the fetch under way, or starts one; completes with the keys in use after it. */
  private synchronized Future<SigningKeys> fetchNow() {
    if (inFlight != null) {
      return inFlight;
    }
    lastFetchMillis = System.currentTimeMillis();
    Future<SigningKeys> fetch = fetch()
        .map(keys -> {
          fetchesSucceeded.incrementAndGet();
          lastSuccessMillis = System.currentTimeMillis();
          lastFetchFailed = false;
          if (!keys.sameKeysAs(current)) {
            // A new object: VerifiedTokens drops every token verified under the previous set.
            current = keys;
            if (keys.kids.isEmpty()) {
              LOG.warn("JWKS from {} holds no usable RSA signing key: every session token is refused", url);
            } else {
              LOG.info("loaded signing keys from JWKS, kids={}", keys.kids);
            }
          }
          return current;
        })
        .recover(err -> {
          fetchesFailed.incrementAndGet();
          lastFetchFailed = true;
          // A decode error may quote the body: bounded and escaped like token values.
          LOG.warn("JWKS fetch from {} failed: {}{}", url, LogSafe.quote(err.getMessage()), staleness());
          return Future.succeededFuture(current);
        });
    inFlight = fetch;
    fetch.onComplete(ar -> clearInFlight());
    return fetch;
  }

  private synchronized void clearInFlight() {
    inFlight = null;
  }

  private Future<SigningKeys> fetch() {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(url)
        .setConnectTimeout(deadlineMillis)
        .putHeader("Accept", "application/json");
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    return client.request(request)
        .compose(req -> {
          sent.set(req);
          return req.send();
        })
        .compose(this::boundedBody)
        .timeout(deadlineMillis, TimeUnit.MILLISECONDS)
        .onFailure(err -> {
          // Frees the connection of a server that went silent; a no-op once the exchange ended.
          HttpClientRequest req = sent.get();
          if (req != null) {
            req.reset();
          }
        })
        .map(body -> SigningKeys.fromJwks(vertx, new JsonObject(body), algorithms));
  }

  /** The body, unless it is not a 200 or grows past {@link #maxBodyBytes} (then read no further). */
  private Future<Buffer> boundedBody(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      response.request().reset();
      return Future.failedFuture("JWKS answered HTTP " + response.statusCode());
    }
    Promise<Buffer> body = Promise.promise();
    Buffer received = Buffer.buffer();
    response.handler(chunk -> {
      if (received.length() + chunk.length() > maxBodyBytes) {
        if (body.tryFail("JWKS body over " + maxBodyBytes + " bytes")) {
          response.request().reset();
        }
        return;
      }
      received.appendBuffer(chunk);
    });
    response.exceptionHandler(body::tryFail);
    response.endHandler(v -> body.tryComplete(received));
    return body.future();
  }
}
