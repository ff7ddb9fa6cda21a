package meservice.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import meservice.App;
import meservice.identity.Ids;
import meservice.support.Api.Response;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.Tokens;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of PATCH bodies through the real HTTP API and database. Invariants:
 * only 200/400/413/415, always in the envelope, never 5xx; the stored state changes only for a
 * valid patch and then exactly as the contract says; no body ever touches another user's row.
 * 5,000 + 5,000 tries per run.
 */
class PatchBodyFuzzTest {

  private static final Set<String> ERROR_CODES =
      Set.of("VALIDATION_ERROR", "INVALID_TIMEZONE", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  private static final Map<String, String> ZONES = ZoneId.getAvailableZoneIds().stream()
      .filter(id -> !id.startsWith("SystemV/"))
      .collect(Collectors.toMap(id -> id.toLowerCase(Locale.ROOT), id -> id));
  private static final List<String> KEYS = List.of(
      "preferences", "timezone", "user_id", "org_id", "is_staff", "scopes", "__proto__", "constructor",
      "Preferences", "timezone ", "", "\u0000", "t\u00edmezone", "preferences.timezone");

  private static Vertx vertx;
  private static App app;
  private static Api api;
  private static final String FUZZED = Tokens.newUserId();
  private static final String BYSTANDER = Tokens.newUserId();
  private static String fuzzedToken;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    app = App.start(vertx, TestConfig.config()).toCompletionStage().toCompletableFuture().join();
    api = new Api(app.port());
    // Valid for the whole run: 10,000 tries can outlast a session token's minute on a loaded machine.
    fuzzedToken = Tokens.sign(Tokens.claims(FUZZED).put("exp", Tokens.now() + 3600));
    assertEquals(200, api.patch(Tokens.session(BYSTANDER), "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}").status());
  }

  @AfterContainer
  static void stop() {
    try {
      JsonObject bystander = stored(BYSTANDER);
      assertEquals("Asia/Tokyo", bystander.getJsonObject("preferences").getString("timezone"),
          "no fuzzed body may change another user's data");
      assertEquals(1L, bystander.getLong("version"));
    } finally {
      app.stop().toCompletionStage().toCompletableFuture().join();
      vertx.close();
    }
  }

  @Property(tries = 5000)
  void anyBodyGetsAnEnvelopeAndChangesStateOnlyWhenValid(
      @ForAll("bodies") String body, @ForAll("contentTypes") String contentType) {
    JsonObject before = stored(FUZZED);

    Response response = api.send("PATCH", "/v1/me",
        Map.of("Authorization", "Bearer " + fuzzedToken, "Content-Type", contentType), body);

    assertEnvelope(response);
    Statistics.label("status").collect(response.status());
    Statistics.label("status").coverage(coverage -> {
      for (int status : new int[] {200, 400, 413, 415}) {
        coverage.check(status).count(count -> count > 0);
      }
    });
    JsonObject after = stored(FUZZED);
    if (response.status() == 200) {
      assertEquals(after.getJsonObject("preferences").getValue("timezone"),
          response.data().getJsonObject("preferences").getValue("timezone"));
    } else {
      assertEquals(before, after, "a rejected body changed the stored state: " + response.text());
    }
  }

  @Property(tries = 5000)
  void preferencePatchesFollowTheContractExactly(@ForAll("patches") Map<String, Object> patch) {
    JsonObject before = stored(FUZZED);
    String body = new JsonObject(patch).encode();

    Response response = api.patch(fuzzedToken, body);

    assertEnvelope(response);
    Statistics.label("status").collect(response.status());
    Statistics.label("status").coverage(coverage -> {
      coverage.check(200).percentage(share -> share > 20);
      coverage.check(400).percentage(share -> share > 20);
    });
    Object expected = expectedTimezone(patch, before.getJsonObject("preferences").getValue("timezone"));
    if (expected == INVALID) {
      assertEquals(400, response.status(), body);
      assertEquals(before, stored(FUZZED), body);
    } else {
      assertEquals(200, response.status(), body + " -> " + response.text());
      JsonObject me = response.data();
      assertEquals(expected, me.getJsonObject("preferences").getValue("timezone"), body);
      assertEquals(Ids.userId(FUZZED).toString(), me.getString("user_id"), "mass assignment of user_id");
      assertFalse(me.getBoolean("is_staff"), "mass assignment of is_staff");
      assertEquals(expected, stored(FUZZED).getJsonObject("preferences").getValue("timezone"), body);
    }
  }

  private static final Object INVALID = new Object();

  /** The contract's rule, written independently of the service's code, as the oracle. */
  private static Object expectedTimezone(Map<String, Object> patch, Object current) {
    if (!patch.keySet().stream().allMatch("preferences"::equals)) {
      return INVALID;
    }
    if (!patch.containsKey("preferences")) {
      return current;
    }
    if (!(patch.get("preferences") instanceof Map<?, ?> preferences)
        || !preferences.keySet().stream().allMatch("timezone"::equals)) {
      return INVALID;
    }
    if (!preferences.containsKey("timezone")) {
      return current;
    }
    Object value = preferences.get("timezone");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name) || name.isEmpty() || name.length() > 64) {
      return INVALID;
    }
    String canonical = ZONES.get(name.toLowerCase(Locale.ROOT));
    return canonical == null ? INVALID : canonical;
  }

  private static void assertEnvelope(Response response) {
    int status = response.status();
    assertTrue(Set.of(200, 400, 413, 415).contains(status), "status " + status + ": " + response.text());
    JsonObject body = response.json();
    assertEquals(status == 200, body.getBoolean("success"));
    String requestId = response.header("X-Request-Id");
    assertNotNull(requestId);
    if (status != 200) {
      JsonObject error = body.getJsonObject("error");
      assertTrue(ERROR_CODES.contains(error.getString("code")), error.encode());
      assertEquals(requestId, error.getString("request_id"));
      assertFalse(response.text().contains("Exception"), response.text());
    }
  }

  private static JsonObject stored(String sub) {
    RowSet<Row> rows = app.pool()
        .preparedQuery("SELECT preferences, version FROM users WHERE id = $1")
        .execute(Tuple.of(Ids.userId(sub)))
        .toCompletionStage().toCompletableFuture().join();
    if (rows.size() == 0) {
      return new JsonObject().put("preferences", new JsonObject()).put("version", 0L);
    }
    Row row = rows.iterator().next();
    return new JsonObject().put("preferences", row.getJsonObject(0)).put("version", row.getLong(1));
  }

  // ---- generators ----

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, Arbitraries.just("application/json")),
        net.jqwik.api.Tuple.of(3, Arbitraries.just("application/merge-patch+json; charset=utf-8")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/jsonx", "multipart/form-data; boundary=x", "")));
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, json(4).map(text -> "{\"preferences\": " + text + "}")),
        net.jqwik.api.Tuple.of(4, json(4)),
        net.jqwik.api.Tuple.of(2, Arbitraries.strings().ofMaxLength(200)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(
            "", " ", "null", "{", "}", "{}}", "{\"preferences\": {}} x", "/* c */ {}", "{\"a\":1,\"a\":2}",
            "{\"preferences\": {\"timezone\": \"UTC\", \"timezone\": null}}", "\u0000", "{\"preferences\":\u0000}",
            "[" .repeat(5000) + "]".repeat(5000), "{\"preferences\": {\"timezone\": \"" + "A".repeat(20_000) + "\"}}",
            "1e999999", "-0", "\"\\ud800\"", "{\"preferences\": {\"timezone\": \"\\u0000UTC\"}}")));
  }

  @Provide
  Arbitrary<Map<String, Object>> patches() {
    Arbitrary<Object> timezone = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.of(ZONES.values().toArray()).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(ZONES.values().toArray())
            .map(zone -> randomCase((String) zone)).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of("+05:00", "UTC+1", "Z", "EST", "PST", "Etc/Unknown", "", " UTC",
            "SystemV/EST5", "America/New_York ", "A".repeat(65)).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)),
        net.jqwik.api.Tuple.of(1, scalar()));
    Arbitrary<Map<String, Object>> preferences = Combinators.combine(
            Arbitraries.integers().between(0, 9), timezone, Arbitraries.of(KEYS), scalar())
        .as((shape, tz, extraKey, extraValue) -> {
          Map<String, Object> map = new HashMap<>();
          if (shape < 7) {
            map.put("timezone", tz);
          }
          if (shape >= 8) {
            map.put(extraKey, extraValue);
          }
          return map;
        });
    return Combinators.combine(Arbitraries.integers().between(0, 19), preferences, Arbitraries.of(KEYS), scalar())
        .as((shape, prefs, extraKey, extraValue) -> {
          Map<String, Object> body = new HashMap<>();
          if (shape < 16) {
            body.put("preferences", prefs);
          } else if (shape == 16) {
            body.put("preferences", extraValue);
          }
          if (shape >= 14) {
            body.put(extraKey, extraValue);
          }
          return body;
        });
  }

  private static String randomCase(String zone) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < zone.length(); i++) {
      char c = zone.charAt(i);
      out.append(((zone.hashCode() >> (i % 31)) & 1) == 0 ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return out.toString();
  }

  private static Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of(true, false).map(Object.class::cast),
        Arbitraries.longs().map(Object.class::cast),
        Arbitraries.doubles().map(Object.class::cast),
        Arbitraries.strings().ofMaxLength(70).map(Object.class::cast),
        Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(5).map(Object.class::cast));
  }

  /** Raw JSON text of any shape, including numbers no parser type can hold and duplicate keys. */
  private static Arbitrary<String> json(int depth) {
    Arbitrary<String> leaf = Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "0", "-1", "1.5e308", "1e400", "-1e400",
            "123456789012345678901234567890", "0.0000000000000000000001", "\"\"", "\"UTC\"", "\"utc\"",
            "\"America/New_York\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\ud800\""),
        Arbitraries.strings().ofMaxLength(40).map(Json::encode),
        Arbitraries.longs().map(String::valueOf));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> member = Combinators.combine(Arbitraries.of(KEYS), json(depth - 1))
        .as((key, value) -> Json.encode(key) + ":" + value);
    Arbitrary<String> object = member.list().ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
    Arbitrary<String> array = json(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, leaf),
        net.jqwik.api.Tuple.of(3, object),
        net.jqwik.api.Tuple.of(1, array));
  }
}
