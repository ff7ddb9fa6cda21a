package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import meservice.identity.Ids;
import meservice.support.Api.Response;
import meservice.support.RunningService;
import meservice.support.Tokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract's conditional requests: ETag on reads and writes, 304, and 412 that writes nothing. */
class ConditionalRequestTest {

  @RegisterExtension
  static final RunningService service = RunningService.withDefaults();

  private static final String SET_BERLIN = "{\"preferences\": {\"timezone\": \"Europe/Berlin\"}}";
  private static final String SET_LIMA = "{\"preferences\": {\"timezone\": \"America/Lima\"}}";

  private String sub;
  private String token;

  @BeforeEach
  void newUser() {
    sub = Tokens.newUserId();
    token = Tokens.session(sub);
  }

  @Test
  void getAnswersAStrongETag() {
    String etag = service.api().get(token).header("ETag");

    assertNotNull(etag);
    assertTrue(etag.startsWith("\"") && etag.endsWith("\""), etag);
    assertEquals(etag, service.api().get(token).header("ETag"), "same state, same tag");
  }

  @Test
  void ifNoneMatchWithTheCurrentETagAnswers304WithoutABody() {
    String etag = service.api().get(token).header("ETag");

    Response response = service.api().send("GET", "/v1/me", Map.of("Authorization", "Bearer " + token, "If-None-Match", etag), null);

    assertEquals(304, response.status());
    assertEquals("", response.text());
    assertEquals(etag, response.header("ETag"));
    assertNotNull(response.header("X-Request-Id"));
  }

  @Test
  void ifNoneMatchWithAnOldETagAnswersTheNewState() {
    String before = service.api().get(token).header("ETag");
    service.api().patch(token, SET_BERLIN);

    Response response = service.api().send("GET", "/v1/me", Map.of("Authorization", "Bearer " + token, "If-None-Match", before), null);

    assertEquals(200, response.status());
    assertEquals("Europe/Berlin", response.data().getJsonObject("preferences").getString("timezone"));
    assertNotEquals(before, response.header("ETag"));
  }

  @Test
  void theETagDiffersBetweenUsersInTheSameState() {
    assertNotEquals(service.api().get(token).header("ETag"), service.api().get(Tokens.session(Tokens.newUserId())).header("ETag"));
  }

  @Test
  void patchAnswersTheETagOfTheNewStateWhichGetThenMatches() {
    Response patched = service.api().patch(token, SET_BERLIN);

    assertNotNull(patched.header("ETag"));
    assertEquals(patched.header("ETag"), service.api().get(token).header("ETag"));
  }

  @Test
  void patchWithTheCurrentETagInIfMatchSucceeds() {
    service.api().patch(token, SET_BERLIN);
    String etag = service.api().get(token).header("ETag");

    Response response = patchIfMatch(etag, SET_LIMA);

    assertEquals(200, response.status());
    assertEquals("America/Lima", response.data().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void patchWithAStaleETagIs412AndWritesNothing() {
    String stale = service.api().patch(token, SET_BERLIN).header("ETag");
    service.api().patch(token, "{\"preferences\": {\"timezone\": \"Asia/Tokyo\"}}");
    long versionBefore = storedVersion();

    Response response = patchIfMatch(stale, SET_LIMA);

    assertEquals(412, response.status());
    assertEquals("PRECONDITION_FAILED", response.error().getString("code"));
    assertEquals(response.header("X-Request-Id"), response.error().getString("request_id"));
    assertEquals(versionBefore, storedVersion(), "nothing written");
    assertEquals("Asia/Tokyo", service.api().get(token).data().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void ifMatchBeforeTheFirstWriteCreatesTheRowOnlyOnce() {
    String neverWritten = service.api().get(token).header("ETag");

    assertEquals(200, patchIfMatch(neverWritten, SET_BERLIN).status());
    assertEquals(412, patchIfMatch(neverWritten, SET_LIMA).status());
    assertEquals("Europe/Berlin", service.api().get(token).data().getJsonObject("preferences").getString("timezone"));
  }

  @Test
  void anotherUsersETagDoesNotMatch() {
    String othersTag = service.api().get(Tokens.session(Tokens.newUserId())).header("ETag");

    assertEquals(412, patchIfMatch(othersTag, SET_BERLIN).status());
    assertNull(storedVersionOrNull(), "no row created");
  }

  @Test
  void aWeakETagNeverMatchesIfMatch() {
    String etag = service.api().get(token).header("ETag");

    assertEquals(412, patchIfMatch("W/" + etag, SET_BERLIN).status());
  }

  @Test
  void ifMatchStarAndAListContainingTheCurrentETagBothMatch() {
    assertEquals(200, patchIfMatch("*", SET_BERLIN).status());
    String etag = service.api().get(token).header("ETag");

    assertEquals(200, patchIfMatch("\"1-nothing\", " + etag, SET_LIMA).status());
  }

  @Test
  void aNoOpPatchStillChecksIfMatch() {
    String stale = service.api().patch(token, SET_BERLIN).header("ETag");
    service.api().patch(token, SET_LIMA);

    assertEquals(412, patchIfMatch(stale, "{}").status());
    assertEquals(200, patchIfMatch(service.api().get(token).header("ETag"), "{}").status());
  }

  @Test
  void anInvalidBodyIs400EvenWithAStaleETag() {
    Response response = patchIfMatch("\"99-stale\"", "{\"preferences\": {\"timezone\": 5}}");

    assertEquals(400, response.status());
  }

  @Test
  void ofConcurrentPatchesWithTheSameIfMatchExactlyOneWins() throws Exception {
    String etag = service.api().patch(token, SET_BERLIN).header("ETag");
    List<CompletableFuture<Integer>> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      statuses.add(CompletableFuture.supplyAsync(() -> patchIfMatch(etag, SET_LIMA).status()));
    }
    List<Integer> results = new ArrayList<>();
    for (CompletableFuture<Integer> status : statuses) {
      results.add(status.get());
    }

    assertEquals(1, results.stream().filter(s -> s == 200).count(), results.toString());
    assertEquals(7, results.stream().filter(s -> s == 412).count(), results.toString());
  }

  private Response patchIfMatch(String ifMatch, String json) {
    return service.api().send("PATCH", "/v1/me", Map.of("Authorization", "Bearer " + token,
        "Content-Type", "application/json", "If-Match", ifMatch), json);
  }

  private long storedVersion() {
    Long version = storedVersionOrNull();
    assertNotNull(version);
    return version;
  }

  private Long storedVersionOrNull() {
    RowSet<Row> rows = service.app().pool().preparedQuery("SELECT version FROM users WHERE id = $1")
        .execute(Tuple.of(Ids.userId(sub))).toCompletionStage().toCompletableFuture().join();
    return rows.size() == 0 ? null : rows.iterator().next().getLong(0);
  }
}
