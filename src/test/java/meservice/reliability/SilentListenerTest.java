package meservice.reliability;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import meservice.App;
import meservice.identity.Ids;
import meservice.support.Admin;
import meservice.support.Api.Response;
import meservice.support.Api;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The listening connection goes silent (no FIN, no RST: a dropped path, a frozen pooler) while
 * requests keep reaching PostgreSQL: announcements stop arriving without any error. The caches
 * they keep true must stop being served within a second, and for as long as the silence lasts.
 */
@ExtendWith(VertxExtension.class)
class SilentListenerTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aUserChangedWhileTheListenerIsSilentIsNeverServedStaleAfterASecond(Vertx vertx) throws Exception {
    URI direct = URI.create(TestDatabase.url().replace("postgresql://", "http://"));
    try (SilentProxy listenerPath = SilentProxy.start("127.0.0.1", direct.getPort());
        Admin admin = Admin.connect(vertx, TestDatabase.url())) {
      Map<String, String> env = TestConfig.env();
      // The listener connects through DATABASE_DIRECT_URL; requests through DATABASE_URL.
      env.put("DATABASE_DIRECT_URL", TestDatabase.url().replace(":" + direct.getPort() + "/", ":" + listenerPath.port() + "/"));
      App app = await(App.start(vertx, TestConfig.config(env)));
      try {
        Api api = new Api(app.port());
        String sub = Tokens.newUserId();
        String user = Tokens.session(sub);
        assertEquals(200, api.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
        assertEquals("UTC", zone(api, user));

        listenerPath.silence();
        long silenced = System.nanoTime();
        admin.query("UPDATE users SET preferences = '{\"timezone\": \"Asia/Kolkata\"}' WHERE id = $1", Ids.userId(sub));

        Thread.sleep(1_000);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        int reads = 0;
        while (System.nanoTime() < until) {
          assertEquals("Asia/Kolkata", zone(api, user),
              "served stale " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silenced) + " ms into the silence");
          reads++;
          Thread.sleep(20);
        }
        assertTrue(reads > 10);
      } finally {
        await(app.stop());
      }
    }
  }

  /**
   * Another instance's PATCH, whose announcement this instance has not heard (its listener is
   * silent, and its last confirmation still fresh): a caller that presents the ETag that PATCH
   * gave it is not answered from the older cached row.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aCallerPresentingANewerETagIsNeverAnsweredFromAnOlderCachedRow(Vertx vertx) throws Exception {
    URI direct = URI.create(TestDatabase.url().replace("postgresql://", "http://"));
    try (SilentProxy listenerPath = SilentProxy.start("127.0.0.1", direct.getPort())) {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_DIRECT_URL", TestDatabase.url().replace(":" + direct.getPort() + "/", ":" + listenerPath.port() + "/"));
      App deaf = await(App.start(vertx, TestConfig.config(env)));
      App writer = await(App.start(vertx, TestConfig.config()));
      try {
        Api stale = new Api(deaf.port());
        Api fresh = new Api(writer.port());
        String user = Tokens.session(Tokens.newUserId());
        assertEquals(200, fresh.patch(user, "{\"preferences\":{\"timezone\":\"UTC\"}}").status());
        assertEquals("UTC", zone(stale, user), "held by the instance about to go deaf");

        listenerPath.silence();
        Response written = fresh.patch(user, "{\"preferences\":{\"timezone\":\"Asia/Seoul\"}}");
        assertEquals(200, written.status());
        String etag = written.headers().firstValue("ETag").orElseThrow();
        Response read = stale.send("GET", "/v1/me", Map.of("Authorization", "Bearer " + user, "If-None-Match", etag), null);

        assertEquals(304, read.status(), "the caller's copy, from the PATCH, is current: not a 200 with the older row");
        assertEquals(etag, read.headers().firstValue("ETag").orElseThrow());
      } finally {
        await(deaf.stop());
        await(writer.stop());
      }
    }
  }

  private static String zone(Api api, String token) {
    Response response = api.get(token);
    assertEquals(200, response.status(), response.text());
    return response.data().getJsonObject("preferences").getString("timezone");
  }
}
