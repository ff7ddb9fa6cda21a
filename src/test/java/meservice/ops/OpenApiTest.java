package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import meservice.http.ErrorCode;
import meservice.me.Preferences;
import meservice.support.Api.Response;
import meservice.support.ErrorCodes;
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

  /** The seed page's texts and examples, as the dashboard's developers read them. */
  private static final String SEED_SUMMARY = "Update the current user's preferences";
  private static final String SEED_DESCRIPTION = """
      Updates the calling user's preferences. Today only timezone
      (an IANA timezone name such as America/New_York) is mutable;
      future per-user preference keys land here without a new route.
      Pass preferences.timezone: null to clear a previously set
      timezone, the read surface then renders it as null and the
      FE falls back to the browser's resolved timezone. A PATCH with
      an empty body is a no-op and returns the current state.
      Only Clerk-authenticated callers may use this endpoint. API-key
      principals receive 403 FORBIDDEN because api keys are not
      user-scoped, so there is no "owning user" to persist against.
      Returns the full Me payload so the FE can use the response as
      a refresh.""";
  private static final String SEED_CLERK_JWT = "First-party clients (the dashboard) authenticate with the session"
      + " token issued at sign-in. Requests are scoped to the active organization and the signed-in user's role.";
  private static final JsonObject SEED_REQUEST = new JsonObject(
      "{\"preferences\": {\"timezone\": \"America/Los_Angeles\"}}");
  private static final JsonObject SEED_200_DATA = new JsonObject("""
      {"user_id": "a169451c-8525-4352-b8ca-070dd449a1a5", "org_id": "a40f5d1f-d889-42e9-94ea-b9b33585fc6b",
       "is_staff": true, "preferences": {"timezone": "America/New_York"}}""");
  private static final JsonObject SEED_401 = new JsonObject("""
      {"success": false, "error": {"code": "UNAUTHORIZED", "message": "authentication failed",
       "request_id": "01JTBQH2FZ8K1RXC0WJ4Z9P3VM"}}""");
  private static final JsonObject SEED_403 = new JsonObject("""
      {"success": false, "error": {"code": "FORBIDDEN", "message": "api keys cannot update user preferences",
       "request_id": "01JTBQH2FZ8K1RXC0WJ4Z9P3VM"}}""");
  private static final JsonObject SEED_400_INVALID_TIMEZONE = new JsonObject("""
      {"success": false, "error": {"code": "INVALID_TIMEZONE", "message": "invalid timezone",
       "details": {"timezone": "unknown IANA timezone"}, "request_id": "01JTBQH2FZ8K1RXC0WJ4Z9P3VM"}}""");

  private static JsonObject document;
  private static SchemaRepository schemas;

  private static synchronized SchemaRepository schemas() {
    if (schemas == null) {
      Response served = service.api().send("GET", "/openapi.json", Map.of(), null);
      assertEquals(200, served.status());
      document = served.json();
      schemas = SchemaRepository.create(options()).dereference(DOCUMENT_URI, JsonSchema.of(document.copy()));
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
    for (ErrorCode code : ErrorCodes.all()) {
      codes.add(code.name());
      String operation = Set.of(400, 403, 412, 413, 415).contains(code.status()) ? "patch" : "get";
      assertNotNull(responseOf("/v1/me", operation, code.status()), code + " is documented with its status");
    }
    assertEquals(codes, documented);
  }

  /** A relative server: /docs' "Try it out" and its curl go to whichever origin served the page. */
  @Test
  void theOnlyServerIsTheOriginThatServesTheDocument() {
    assertEquals(new JsonArray().add(new JsonObject().put("url", "/")),
        new JsonArray(document().getJsonArray("servers").stream()
            .map(server -> new JsonObject().put("url", ((JsonObject) server).getString("url"))).toList()));
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

  @Test
  void thePatchOperationCarriesTheSeedsSummaryDescriptionAndSecurityScheme() {
    JsonObject patch = operation("/v1/me", "patch");
    assertEquals(SEED_SUMMARY, patch.getString("summary"));
    // The seed's text first, word for word; the cache's consistency paragraph follows it.
    String description = words(patch.getString("description"));
    assertTrue(description.startsWith(words(SEED_DESCRIPTION) + " Consistency:"), description);
    assertEquals(new JsonArray().add(new JsonObject().put("clerkJWT", new JsonArray())), patch.getJsonArray("security"));
    assertEquals(SEED_CLERK_JWT, document.getJsonObject("components").getJsonObject("securitySchemes")
        .getJsonObject("clerkJWT").getString("description"));
  }

  @Test
  void bothMeOperationsStateTheCachesConsistencyContract() {
    String get = words(operation("/v1/me", "get").getString("description"));
    String patch = words(operation("/v1/me", "patch").getString("description"));

    assertTrue(get.contains("On the instance that acknowledged a PATCH, every later GET shows it."), get);
    assertTrue(get.contains("short window after the PATCH's acknowledgement"), get);
    assertTrue(get.contains("If-None-Match carries the ETag a PATCH returned is never answered from an older row"), get);
    assertTrue(patch.contains("other instances within a short window (see GET /v1/me)"), patch);
  }

  @Test
  void theDocumentedExamplesAreTheSeeds() {
    JsonObject request = operation("/v1/me", "patch").getJsonObject("requestBody").getJsonObject("content")
        .getJsonObject(JSON).getJsonObject("examples").getJsonObject("set").getJsonObject("value");
    assertEquals(SEED_REQUEST, request);
    JsonObject ok = responseOf("/v1/me", "patch", 200).getJsonObject("content").getJsonObject(JSON)
        .getJsonObject("example");
    assertEquals(true, ok.getBoolean("success"));
    JsonObject data = ok.getJsonObject("data").copy();
    data.remove("scopes");
    assertEquals(SEED_200_DATA, data);
    assertEquals(SEED_401, responseOf("/v1/me", "patch", 401).getJsonObject("content").getJsonObject(JSON)
        .getJsonObject("example"));
    assertEquals(SEED_403, responseOf("/v1/me", "patch", 403).getJsonObject("content").getJsonObject(JSON)
        .getJsonObject("example"));
    assertEquals(SEED_400_INVALID_TIMEZONE, responseOf("/v1/me", "patch", 400).getJsonObject("content")
        .getJsonObject(JSON).getJsonObject("examples").getJsonObject("invalid_timezone").getJsonObject("value"));
  }

  @Test
  void everyDocumentedExampleConformsToItsSchema() {
    int checked = 0;
    for (String path : document().getJsonObject("paths").fieldNames()) {
      for (String method : methods(path)) {
        JsonObject operation = operation(path, method);
        if (operation.containsKey("requestBody")) {
          checked += assertExamplesConform(path + " " + method + " request",
              operation.getJsonObject("requestBody").getJsonObject("content"));
        }
        for (String status : operation.getJsonObject("responses").fieldNames()) {
          JsonObject response = responseOf(path, method, Integer.parseInt(status));
          if (response.containsKey("content")) {
            checked += assertExamplesConform(path + " " + method + " " + status, response.getJsonObject("content"));
          }
        }
      }
    }
    assertTrue(checked > 20, "examples checked: " + checked);
  }

  @Test
  void thePreferencesSchemasAreTheRegistrysAndTheRequestBoundsMatchTheResponse() {
    JsonObject schemas = document().getJsonObject("components").getJsonObject("schemas");
    assertEquals(Preferences.REGISTRY.documentedSchema(), schemas.getJsonObject("Preferences"));
    JsonObject request = schemas.getJsonObject("MePatch").getJsonObject("properties").getJsonObject("preferences");
    assertEquals(Preferences.REGISTRY.documentedPatchSchema(), request);
    JsonObject requestTimezone = request.getJsonObject("properties").getJsonObject("timezone");
    JsonObject responseTimezone = schemas.getJsonObject("Preferences").getJsonObject("properties").getJsonObject("timezone");
    assertEquals(1, requestTimezone.getInteger("minLength"));
    assertEquals(64, requestTimezone.getInteger("maxLength"));
    assertEquals(responseTimezone, requestTimezone);
  }

  @Test
  void aTimezoneOutsideTheDocumentedBoundsIsA400() {
    String token = Tokens.session(Tokens.newUserId());
    assertConforms("/v1/me", "patch", service.api().patch(token, "{\"preferences\": {\"timezone\": \"\"}}"));
    Response tooLong = service.api().patch(token, "{\"preferences\": {\"timezone\": \"" + "A".repeat(65) + "\"}}");
    assertEquals(400, tooLong.status());
    assertConforms("/v1/me", "patch", tooLong);
  }

  /** The answer comes before routing, so every operation has it: a control character in {@code If-None-Match}. */
  @Test
  void everyOperationDocumentsThe400OfAnUndecodableHeader() {
    int checked = 0;
    for (String path : document().getJsonObject("paths").fieldNames()) {
      for (String method : methods(path)) {
        Response answer = raw(method.toUpperCase(Locale.ROOT) + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
            + "If-None-Match: \"a\u0001b\"\r\n\r\n");
        assertEquals(400, answer.status(), path + " " + method + ": " + answer.text());
        assertEquals("BAD_REQUEST", answer.error().getString("code"));
        assertConforms(path, method, answer);
        checked++;
      }
    }
    assertTrue(checked >= 7, "operations checked: " + checked);
  }

  /** The operations of a path item: its keys that are HTTP methods (others are servers, parameters...). */
  private static List<String> methods(String path) {
    return document().getJsonObject("paths").getJsonObject(path).fieldNames().stream()
        .filter(key -> Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(key))
        .toList();
  }

  private static int assertExamplesConform(String where, JsonObject content) {
    int checked = 0;
    for (String mediaType : content.fieldNames()) {
      JsonObject media = content.getJsonObject(mediaType);
      if (!media.containsKey("schema")) {
        continue;
      }
      List<Object> examples = new ArrayList<>();
      if (media.containsKey("example")) {
        examples.add(media.getValue("example"));
      }
      if (media.containsKey("examples")) {
        media.getJsonObject("examples").forEach(e -> examples.add(((JsonObject) e.getValue()).getValue("value")));
      }
      JsonObject schema = media.getJsonObject("schema");
      JsonObject resolved = schema.containsKey("$ref")
          ? new JsonObject().put("$ref", DOCUMENT_URI + schema.getString("$ref")) : schema;
      for (Object example : examples) {
        OutputUnit result = schemas().validator(JsonSchema.of(resolved), options()).validate(example);
        assertTrue(result.getValid(), () -> where + " " + mediaType + " example " + example + ": " + result);
        checked++;
      }
    }
    return checked;
  }

  private static String words(String text) {
    return text.trim().replaceAll("\\s+", " ");
  }

  private static JsonObject document() {
    schemas();
    return document;
  }

  private static JsonObject operation(String path, String method) {
    return document().getJsonObject("paths").getJsonObject(path).getJsonObject(method);
  }

  /** One request written byte for byte (no client would send it), read until the server closes. */
  private static Response raw(String request) {
    try (Socket socket = new Socket("127.0.0.1", service.app().port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      String text = bytes.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      java.net.http.HttpHeaders headers = java.net.http.HttpHeaders.of(
          text.substring(text.indexOf("\r\n") + 2, end).lines()
              .map(line -> line.split(":", 2))
              .collect(java.util.stream.Collectors.groupingBy(kv -> kv[0].trim(),
                  java.util.stream.Collectors.mapping(kv -> kv[1].trim(), java.util.stream.Collectors.toList()))),
          (name, value) -> true);
      return new Response(Integer.parseInt(text.substring(9, 12)), headers, text.substring(end + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
