package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import meservice.http.ErrorCode;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /openapi.json} describes the service that serves it: real responses are looked up in
 * the document by path, method and status, and validated against the schema it names.
 */
class OpenApiTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private static final String DOCUMENT_URI = "https://me-service.test/openapi.json";
  private static final String JSON = "application/json";

  private static JsonObject document;
  private static SchemaRepository schemas;

  private static synchronized SchemaRepository schemas() {
    if (schemas == null) {
      Response served = service.api().send("GET", "/openapi.json", Map.of(), null);
      assertEquals(200, served.status());
      document = served.json();
      schemas = SchemaRepository.create(options()).dereference(DOCUMENT_URI, JsonSchema.of(document));
    }
    return schemas;
  }

  private static JsonSchemaOptions options() {
    return new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(DOCUMENT_URI)
        .setOutputFormat(OutputFormat.Basic);
  }

  @Test
  void theDocumentIsOpenApi31WithBothBearerSchemesAndEveryErrorCode() {
    schemas();
    assertEquals("3.1.0", document.getString("openapi"));
    JsonObject security = document.getJsonObject("components").getJsonObject("securitySchemes");
    assertEquals("bearer", security.getJsonObject("clerkJWT").getString("scheme"));
    assertEquals("bearer", security.getJsonObject("apiKey").getString("scheme"));
    TreeSet<String> documented = new TreeSet<>();
    document.getJsonObject("components").getJsonObject("schemas").getJsonObject("ErrorCode")
        .getJsonArray("enum").forEach(code -> documented.add((String) code));
    TreeSet<String> codes = new TreeSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      codes.add(code.name());
      String operation = Set.of(400, 403, 412, 413, 415).contains(code.status) ? "patch" : "get";
      assertNotNull(responseOf("/v1/me", operation, code.status), code + " is documented with its status");
    }
    assertEquals(codes, documented);
  }

  @Test
  void theValidatorRejectsABodyThatBreaksTheDocumentedSchema() {
    JsonObject wrong = service.api().get(Tokens.session(Tokens.newUserId())).json();
    wrong.getJsonObject("data").put("is_staff", "no");

    OutputUnit result = schemas().validator(JsonSchema.of(
        new JsonObject().put("$ref", DOCUMENT_URI + "#/components/schemas/MeEnvelope")), options()).validate(wrong);

    assertFalse(result.getValid());
  }

  @Test
  void getMe200() {
    assertConforms("/v1/me", "get", service.api().get(Tokens.session(Tokens.newUserId())));
  }

  @Test
  void patchMe200() {
    assertConforms("/v1/me", "patch", service.api().patch(Tokens.session(Tokens.newUserId()),
        "{\"preferences\": {\"timezone\": \"America/Los_Angeles\"}}"));
  }

  @Test
  void patchMe400ValidationAndTimezone() {
    String token = Tokens.session(Tokens.newUserId());
    assertConforms("/v1/me", "patch", service.api().patch(token, "{\"preferences\": {\"timezone\": 7}}"));
    assertConforms("/v1/me", "patch", service.api().patch(token, "{\"preferences\": {\"timezone\": \"EST\"}}"));
  }

  @Test
  void getMe401() {
    assertConforms("/v1/me", "get", service.api().get("not-a-token"));
  }

  @Test
  void unknownRoute404() {
    assertConforms("/v1/me", "get", service.api().send("GET", "/v1/nothing", Map.of(), null), 404);
  }

  @Test
  void otherMethod405() {
    assertConforms("/v1/me", "get", service.api().send("DELETE", "/v1/me", Map.of(), null), 405);
  }

  @Test
  void patchMe412() {
    assertConforms("/v1/me", "patch", service.api().send("PATCH", "/v1/me", Map.of(
        "Authorization", "Bearer " + Tokens.session(Tokens.newUserId()),
        "Content-Type", JSON, "If-Match", "\"42-stale\""), "{}"));
  }

  @Test
  void patchMe413() {
    String big = "{\"preferences\": {\"timezone\": \"" + "x".repeat(20_000) + "\"}}";
    assertConforms("/v1/me", "patch", service.api().patch(Tokens.session(Tokens.newUserId()), big));
  }

  @Test
  void patchMe415() {
    assertConforms("/v1/me", "patch", service.api().send("PATCH", "/v1/me", Map.of(
        "Authorization", "Bearer " + Tokens.session(Tokens.newUserId()), "Content-Type", "text/plain"), "hello"));
  }

  @Test
  void healthProbes() {
    assertConforms("/health/live", "get", service.api().send("GET", "/health/live", Map.of(), null));
    assertConforms("/health/ready", "get", service.api().send("GET", "/health/ready", Map.of(), null));
  }

  private static void assertConforms(String path, String method, Response response) {
    assertConforms(path, method, response, response.status());
  }

  /** {@code documentedStatus}: the status to look up, for router errors the document puts on every operation. */
  private static void assertConforms(String path, String method, Response response, int documentedStatus) {
    JsonObject declared = responseOf(path, method, documentedStatus);
    assertNotNull(declared, method.toUpperCase(Locale.ROOT) + " " + path + " does not document " + documentedStatus);
    String ref = declared.getJsonObject("content").getJsonObject(JSON).getJsonObject("schema").getString("$ref");
    assertTrue(response.header("Content-Type").startsWith(JSON), response.header("Content-Type"));
    OutputUnit result = schemas().validator(JsonSchema.of(new JsonObject().put("$ref", DOCUMENT_URI + ref)), options())
        .validate(response.json());
    assertTrue(result.getValid(), () -> response.status() + " " + response.text() + " against " + ref + ": " + result);
    if (declared.containsKey("headers") && declared.getJsonObject("headers").containsKey("X-Request-Id")) {
      assertNotNull(response.header("X-Request-Id"));
    }
  }

  /** The response object the document declares, with {@code #/components/responses/...} followed. */
  private static JsonObject responseOf(String path, String method, int status) {
    schemas();
    JsonObject response = document.getJsonObject("paths").getJsonObject(path).getJsonObject(method)
        .getJsonObject("responses").getJsonObject(Integer.toString(status));
    if (response != null && response.containsKey("$ref")) {
      String name = response.getString("$ref").substring("#/components/responses/".length());
      response = document.getJsonObject("components").getJsonObject("responses").getJsonObject(name);
    }
    return response;
  }
}
