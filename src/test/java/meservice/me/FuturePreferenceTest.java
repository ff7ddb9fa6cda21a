package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import meservice.identity.Ids;
import meservice.support.Admin;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's promise, "future per-user preference keys land here without a new route": the
 * production router, run with a registry holding one more (hypothetical) key, sets, reads, clears
 * and validates it through {@code PATCH /v1/me}, stores it in the existing row with no migration,
 * and documents it in the OpenAPI it serves. The registry entry is the only code.
 */
class FuturePreferenceTest {

  /** {@code week_start}: the first day of the user's week, or {@code null} for the locale's. */
  static final class WeekStartPreference implements Preference {

    static final List<String> DAYS = List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

    @Override
    public String key() {
      return "week_start";
    }

    @Override
    public JsonObject schema() {
      JsonArray values = new JsonArray(new java.util.ArrayList<>(DAYS));
      return new JsonObject().put("enum", values.addNull());
    }

    @Override
    public JsonObject documentation() {
      return new JsonObject()
          .put("description", "First day of the user's week; null: the locale's.")
          .put("examples", new JsonArray().add("monday"));
    }

    @Override
    public String typeMessage() {
      return "must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday or null";
    }

    @Override
    public Object defaultValue() {
      return null;
    }

    @Override
    public Object normalize(Object value) {
      return value;
    }
  }

  static final Preferences WITH_WEEK_START = Preferences.of(new TimezonePreference(), new WeekStartPreference());

  @RegisterExtension
  static final RunningService service = RunningService.withPreferences(WITH_WEEK_START);

  private static Vertx vertx;
  private static Admin admin;

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    admin = Admin.connect(vertx, TestDatabase.url());
  }

  @AfterAll
  static void disconnect() {
    admin.close();
    vertx.close();
  }

  @Test
  void aNewUserReadsTheNewKeyAsNull() {
    JsonObject preferences = service.api().get(Tokens.session(Tokens.newUserId())).data().getJsonObject("preferences");

    assertEquals(new JsonObject().putNull("timezone").putNull("week_start"), preferences);
  }

  @Test
  void theNewKeyIsSetReadAndClearedThroughTheSameRouteBesideTheTimezone() {
    String token = Tokens.session(Tokens.newUserId());

    Response set = service.api().patch(token, "{\"preferences\": {\"week_start\": \"monday\"}}");
    assertEquals(200, set.status(), set.text());
    assertEquals("monday", set.data().getJsonObject("preferences").getString("week_start"));

    Response both = service.api().patch(token, "{\"preferences\": {\"timezone\": \"Europe/Paris\"}}");
    assertEquals(new JsonObject().put("timezone", "Europe/Paris").put("week_start", "monday"),
        both.data().getJsonObject("preferences"), "a patch of one key leaves the other");
    assertEquals(both.data(), service.api().get(token).data());

    Response cleared = service.api().patch(token, "{\"preferences\": {\"week_start\": null}}");
    assertEquals(new JsonObject().put("timezone", "Europe/Paris").putNull("week_start"),
        cleared.data().getJsonObject("preferences"));
    assertEquals(cleared.data(), service.api().get(token).data());
  }

  @Test
  void aValueOutsideTheNewKeysSchemaIsAValidationErrorNamingIt() {
    String token = Tokens.session(Tokens.newUserId());
    for (String value : new String[] {"\"funday\"", "\"Monday\"", "1", "[\"monday\"]"}) {
      Response response = service.api().patch(token, "{\"preferences\": {\"week_start\": " + value + "}}");

      assertEquals(400, response.status(), value);
      assertEquals("VALIDATION_ERROR", response.error().getString("code"));
      assertEquals(new JsonObject().put("preferences.week_start", new WeekStartPreference().typeMessage()),
          response.error().getJsonObject("details"), value);
    }
    assertEquals(new JsonObject().putNull("timezone").putNull("week_start"),
        service.api().get(token).data().getJsonObject("preferences"), "nothing was written");
  }

  @Test
  void theNewKeyIsStoredInTheExistingPreferencesColumnWithNoMigration() {
    String user = Tokens.newUserId();
    assertEquals(200, service.api().patch(Tokens.session(user), "{\"preferences\": {\"week_start\": \"sunday\"}}").status());

    Row row = admin.query("SELECT preferences FROM users WHERE id = $1", Ids.userId(user)).iterator().next();
    assertEquals(new JsonObject().put("week_start", "sunday"), row.getJsonObject(0));
    Set<String> columns = new TreeSet<>();
    admin.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
        .forEach(column -> columns.add(column.getString(0)));
    assertEquals(new TreeSet<>(Set.of("id", "clerk_user_id", "is_staff", "preferences", "version", "created_at", "updated_at")),
        columns, "the users table is the one V1 created");
  }

  @Test
  void theServedOpenApiDocumentsTheNewKeyAndARealResponseConformsToIt() {
    JsonObject document = service.api().send("GET", "/openapi.json", Map.of(), null).json();
    JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");

    JsonObject response = schemas.getJsonObject("Preferences");
    assertEquals(new JsonArray().add("timezone").add("week_start"), response.getJsonArray("required"));
    JsonArray days = response.getJsonObject("properties").getJsonObject("week_start").getJsonArray("enum");
    assertEquals(new JsonArray(new java.util.ArrayList<>(WeekStartPreference.DAYS)).addNull(), days);
    JsonObject patch = schemas.getJsonObject("MePatch").getJsonObject("properties").getJsonObject("preferences");
    assertEquals(days, patch.getJsonObject("properties").getJsonObject("week_start").getJsonArray("enum"));
    assertEquals("monday", document.getJsonObject("paths").getJsonObject("/v1/me").getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").getJsonObject("content").getJsonObject("application/json")
        .getJsonObject("example").getJsonObject("data").getJsonObject("preferences").getString("week_start"));

    String token = Tokens.session(Tokens.newUserId());
    JsonObject body = service.api().patch(token, "{\"preferences\": {\"week_start\": \"friday\"}}").json();
    String uri = "https://me-service.test/openapi.json";
    JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(uri);
    OutputUnit result = SchemaRepository.create(options).dereference(uri, JsonSchema.of(document.copy()))
        .validator(JsonSchema.of(new JsonObject().put("$ref", uri + "#/components/schemas/MeEnvelope")), options)
        .validate(body);
    assertTrue(result.getValid(), () -> body + ": " + result);
  }
}
