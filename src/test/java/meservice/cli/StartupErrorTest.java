package meservice.cli;

import static meservice.support.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import meservice.db.Migrations;
import meservice.support.Admin;
import meservice.support.MainProcess;
import meservice.support.MainProcess.Result;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import org.junit.jupiter.api.Test;

/** {@code serve} that cannot start says why in one line an operator can act on, and exits 1. */
class StartupErrorTest {

  @Test
  void aBusyPortIsNamedWithTheSettingThatMovesIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = TestConfig.env();
      env.put("PORT", Integer.toString(taken.getLocalPort()));

      Result result = MainProcess.run(env, "serve");

      assertEquals(1, result.exit(), result.output());
      assertEquals("me-service: serve failed: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": the port is already in use; stop what holds it, or set PORT= to another port\n", result.stderr());
    }
  }

  @Test
  void aRefusedDatabaseIsNamedByHostAndPortNeverByPassword() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Map<String, String> env = TestConfig.envWithoutDatabase();
    env.put("DATABASE_URL", "postgresql://me:pa55-w0rd-secret@127.0.0.1:" + closed + "/me");

    Result result = MainProcess.run(env, "serve");

    assertEquals(1, result.exit(), result.output());
    assertEquals("me-service: serve failed: cannot connect to PostgreSQL at 127.0.0.1:" + closed
        + " (DATABASE_URL): connection refused; is PostgreSQL running there?\n", result.stderr());
    assertFalse(result.output().contains("pa55-w0rd-secret"), result.output());
    assertFalse(result.output().contains("Exception"), "no exception class names: " + result.output());
  }

  @Test
  void aDatabaseThatNeverAnswersIsNamedWithTheTimeoutThatGaveUp() throws Exception {
    // The kernel completes the TCP handshake for a listening socket nobody accepts from:
    // the connection opens, and the PostgreSQL handshake never gets an answer.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = TestConfig.envWithoutDatabase();
      env.put("DATABASE_URL", "postgresql://me:pa55-w0rd-secret@127.0.0.1:" + silent.getLocalPort() + "/me");
      env.put("DB_CONNECT_TIMEOUT_MS", "500");

      Result result = MainProcess.run(env, "serve");

      assertEquals(1, result.exit(), result.output());
      assertTrue(result.stderr().startsWith("me-service: serve failed: cannot connect to PostgreSQL at 127.0.0.1:"
          + silent.getLocalPort() + " (DATABASE_URL): no connection within 500 ms, DB_CONNECT_TIMEOUT_MS\n"), result.stderr());
      assertFalse(result.output().contains("pa55-w0rd-secret"), result.output());
    }
  }

  @Test
  void aOneShotCommandAgainstADatabaseThatNeverAnswersEndsInsteadOfHanging() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = Map.of(
          "DATABASE_URL", "postgresql://me:pa55-w0rd-secret@127.0.0.1:" + silent.getLocalPort() + "/me",
          "DB_CONNECT_TIMEOUT_MS", "500");

      long start = System.nanoTime();
      Result result = MainProcess.run(env, "apikey", "list", "--org", "org_a");
      long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

      assertEquals(1, result.exit(), result.output());
      assertTrue(result.stderr().endsWith("me-service: apikey failed: cannot connect to PostgreSQL at 127.0.0.1:"
          + silent.getLocalPort() + " (DATABASE_URL): no connection within 500 ms, DB_CONNECT_TIMEOUT_MS\n"), result.stderr());
      assertTrue(seconds < 60, "ended after " + seconds + " s");
    }
  }

  @Test
  void migrateNamesARefusedDatabaseTheSameWay() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }

    Result result = MainProcess.run(Map.of("DATABASE_URL", "postgresql://me:pa55-w0rd-secret@127.0.0.1:" + closed + "/me"),
        "migrate");

    assertEquals(1, result.exit(), result.output());
    assertTrue(result.stderr().startsWith("me-service: migrate failed: cannot connect to PostgreSQL at 127.0.0.1:" + closed),
        result.stderr());
    assertFalse(result.output().contains("pa55-w0rd-secret"), result.output());
  }

  @Test
  void aChangedAppliedMigrationIsNamed() {
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, String> env = TestConfig.env();
      env.put("DATABASE_URL", TestDatabase.fresh(vertx, "changed"));
      await(Migrations.load().apply(vertx, TestConfig.config(env).database()));
      try (Admin admin = Admin.connect(vertx, env.get("DATABASE_URL"))) {
        admin.query("UPDATE schema_migrations SET checksum = 'the checksum of an older text' WHERE version = 3");
      }

      Result result = MainProcess.run(env, "serve");

      assertEquals(1, result.exit(), result.output());
      assertEquals("me-service: serve failed: migration V3__users_clerk_user_id_not_unique.sql was changed after it"
          + " was applied (its checksum differs from the one in schema_migrations): restore it, and make the change"
          + " in a new migration\n", result.stderr());
    } finally {
      await(vertx.close());
    }
  }
}
