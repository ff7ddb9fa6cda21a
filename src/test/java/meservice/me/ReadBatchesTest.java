package meservice.me;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.App;
import meservice.db.Database;
import meservice.db.Migrations;
import meservice.db.Reads;
import meservice.db.WritePool;
import meservice.identity.Ids;
import meservice.support.Api;
import meservice.support.QueryCountingProxy;
import meservice.support.TestConfig;
import meservice.support.TestDatabase;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GET path's read batching ({@link ReadBatches}) against a real PostgreSQL: what one turn of an
 * event loop sends, how a big turn is split, what is never batched, what a failed statement does
 * to the reads it carried, and that through HTTP every user still gets their own row.
 *
 * <p>Statements are counted twice: by the sizes the repository reports (the numbers behind
 * {@code db.read.batch.size}) and, independently, as the database sees them: a protocol-reading
 * proxy counts each execution ({@code Bind}) of {@code UserSql.FIND_USER} and {@code UserSql.FIND_USERS}.
 */
class ReadBatchesTest {

  private static final long WAIT_SECONDS = 20;

  private static Vertx vertx;
  private static QueryCountingProxy proxy;
  /** The test database through the counting proxy. */
  private static String url;
  private static WritePool writes;
  private static final Map<UUID, String> CLERK_IDS = new ConcurrentHashMap<>();

  /** Per test: the read client the repository under test reads on, and the sizes it reported. */
  private SqlClient reads;
  private final List<Integer> sizes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    proxy = QueryCountingProxy.to(TestDatabase.url());
    url = proxy.url(TestDatabase.url());
    await(Migrations.load().apply(vertx, TestConfig.config().database()));
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", url);
    env.put("DB_POOL_SIZE", "4");
    // Seeding writes hundreds of users at once; the default queue (64 per connection) refuses some.
    env.put("DB_MAX_WAIT_QUEUE", "100000");
    writes = Database.pool(vertx, TestConfig.config(env).database());
  }

  @AfterAll
  static void stop() throws Exception {
    await(writes.close());
    await(vertx.close());
    proxy.close();
  }

  @BeforeEach
  void openReads() {
    reads = pipelined(Database.connectOptions(url));
  }

  @AfterEach
  void closeReads() {
    // Bounded: a client whose connection never opened need not close promptly (Database.close).
    await(Database.close(reads));
  }

  @Test
  void readsAskedForInOneTurnOfTheLoopGoOutAsOneStatementAndEachReaderGetsItsOwnRow() {
    List<UUID> written = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // Different preferences and versions per user (user i written i + 1 times): a row handed to
      // the wrong reader shows.
      written.add(seed(i + 1, new JsonObject().put("timezone", "zone-" + i)));
    }
    UUID staff = written.get(7);
    await(MeRepository.create(writes).setStaff(clerkId(staff), true));
    UUID neverWritten = UUID.randomUUID();
    List<UUID> asked = new ArrayList<>(written);
    asked.add(neverWritten);
    asked.add(written.get(0));
    Map<UUID, StoredUser> expected = alone(asked);
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);
    long before = proxy.executions(UserSql.FIND_USERS);
    long lonesBefore = proxy.executions(UserSql.FIND_USER);

    List<StoredUser> found = findInOneTurn(loop, repository, asked);

    assertEquals(List.of(asked.size()), sizes, "one statement carrying all ten reads");
    assertEquals(1, proxy.executions(UserSql.FIND_USERS) - before, "one FIND_USERS reached the database");
    assertEquals(0, proxy.executions(UserSql.FIND_USER) - lonesBefore, "no read went alone");
    for (int i = 0; i < asked.size(); i++) {
      assertEquals(expected.get(asked.get(i)), found.get(i), "read " + i + " of " + asked.get(i));
    }
    assertEquals(3, found.get(2).version(), "user 2 was written three times");
    assertTrue(found.get(7).isStaff(), "the staff flag comes from its own column");
    assertEquals(StoredUser.NEVER_WRITTEN, found.get(8), "a user without a row gets the defaults");
    assertEquals(found.get(0), found.get(9), "the same user asked twice gets its row twice");
    assertEquals(9, new HashSet<>(found).size(), "nine different users, nine different answers");
  }

  @Test
  void moreThanMaxIdsReadsInOneTurnAreSplitIntoStatementsOfAtMostMaxIds() {
    int n = 2 * ReadBatches.MAX_IDS + 44;
    List<UUID> asked = new ArrayList<>();
    List<Future<StoredUser>> seeded = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UUID id = newUser();
      asked.add(id);
      seeded.add(patch(id, new JsonObject().put("timezone", "zone-" + i)));
      if (seeded.size() == 16) { // a few writes at a time: the write pool's queue wait is bounded
        await(Future.all(seeded));
        seeded.clear();
      }
    }
    await(Future.all(seeded));
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);
    long before = proxy.executions(UserSql.FIND_USERS);

    List<StoredUser> found = findInOneTurn(loop, repository, asked);

    assertEquals(List.of(ReadBatches.MAX_IDS, ReadBatches.MAX_IDS, 44), sizes);
    assertEquals(3, proxy.executions(UserSql.FIND_USERS) - before, "ceil(300 / 128) statements reached the database");
    for (int i = 0; i < n; i++) {
      assertEquals("zone-" + i, found.get(i).preferences().getString("timezone"), "read " + i);
    }
  }

  @Test
  void aLoneReadIsOneStatementOfOneIdOnFindUser() {
    UUID id = seed(2, new JsonObject().put("timezone", "alone"));
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);
    long lonesBefore = proxy.executions(UserSql.FIND_USER);
    long batchesBefore = proxy.executions(UserSql.FIND_USERS);

    List<StoredUser> found = findInOneTurn(loop, repository, List.of(id));

    assertEquals(List.of(1), sizes);
    assertEquals(1, proxy.executions(UserSql.FIND_USER) - lonesBefore, "the single-row statement");
    assertEquals(0, proxy.executions(UserSql.FIND_USERS) - batchesBefore, "not the array one");
    assertEquals(new StoredUser(new JsonObject().put("timezone", "alone"), false, 2), found.get(0));
  }

  @Test
  void readsAskedForOnTheLoopThreadOutsideAnyContextAreBatchedAndAnswered() {
    List<UUID> asked = List.of(seed(1, new JsonObject().put("timezone", "raw-a")), UUID.randomUUID());
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);
    CompletableFuture<List<Future<StoredUser>>> futures = new CompletableFuture<>();

    // A plain Netty task on the loop's thread: Vert.x has no current context there.
    ((ContextInternal) loop).nettyEventLoop().execute(() -> futures.complete(asked.stream().map(id -> repository.find(id, -1)).toList()));
    List<StoredUser> found = join(futures).stream().map(ReadBatchesTest::await).toList();

    assertEquals(List.of(2), sizes);
    assertEquals(List.of(new StoredUser(new JsonObject().put("timezone", "raw-a"), false, 1), StoredUser.NEVER_WRITTEN),
        found);
  }

  @Test
  void readsAskedForOffTheEventLoopAreEachTheirOwnStatement() {
    List<UUID> asked = List.of(seed(1, new JsonObject().put("timezone", "a")), seed(2, new JsonObject().put("timezone", "b")),
        UUID.randomUUID());
    MeRepository repository = createOn(vertx.getOrCreateContext(), 0);
    long lonesBefore = proxy.executions(UserSql.FIND_USER);
    long batchesBefore = proxy.executions(UserSql.FIND_USERS);

    // All asked for at once from this test thread: nothing to batch on, so nothing waits for a turn.
    List<Future<StoredUser>> futures = asked.stream().map(id -> repository.find(id, -1)).toList();
    List<StoredUser> found = futures.stream().map(ReadBatchesTest::await).toList();

    assertEquals(List.of(1, 1, 1), sizes);
    assertEquals(3, proxy.executions(UserSql.FIND_USER) - lonesBefore);
    assertEquals(0, proxy.executions(UserSql.FIND_USERS) - batchesBefore);
    assertEquals(List.of(new StoredUser(new JsonObject().put("timezone", "a"), false, 1),
        new StoredUser(new JsonObject().put("timezone", "b"), false, 2), StoredUser.NEVER_WRITTEN), found);
  }

  @Test
  void theCommandsRepositoryNeverBatchesEvenReadsAskedForOnALoop() {
    UUID id = seed(1, new JsonObject().put("timezone", "off"));
    MeRepository repository = MeRepository.create(writes);
    long lonesBefore = proxy.executions(UserSql.FIND_USER);
    long batchesBefore = proxy.executions(UserSql.FIND_USERS);

    List<StoredUser> found = findInOneTurn(vertx.getOrCreateContext(), repository, List.of(id, id, id, id));

    assertEquals(4, proxy.executions(UserSql.FIND_USER) - lonesBefore);
    assertEquals(0, proxy.executions(UserSql.FIND_USERS) - batchesBefore);
    found.forEach(user -> assertEquals(new StoredUser(new JsonObject().put("timezone", "off"), false, 1), user));
  }

  @Test
  void theServicesRepositoryCannotBeMadeOffAnEventLoop() {
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> MeRepository.create(Reads.from(reads), writes, UserCache.disabled(), 0, sizes::add));

    assertTrue(refused.getMessage().contains("event loop"), refused.getMessage());
  }

  @Test
  void aFailedBatchStatementFailsEveryReadItCarried() throws IOException {
    // Nothing listens there: the statement fails (connection refused) without any timing.
    readsFrom(Database.connectOptions(url).setPort(closedPort()));
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);
    List<UUID> asked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      asked.add(UUID.randomUUID());
    }

    List<Throwable> failures = askInOneTurn(loop, repository, asked).stream().map(ReadBatchesTest::failure).toList();

    assertEquals(List.of(10), sizes, "one statement carried all ten");
    for (Throwable failure : failures) {
      assertInstanceOf(ConnectException.class, failure);
      // One statement's failure, handed to each read it carried (reads sent alone fail one by one).
      assertSame(failures.get(0), failure);
    }
  }

  @Test
  void aRowThatCannotBeReadFailsOnlyItsOwnReadsAndLeavesNoneHanging() {
    UUID good = seed(1, new JsonObject().put("timezone", "good"));
    // Read alone it fails its one read (a 503); in a batch it must not take the others down too.
    UUID broken = unreadableUser();
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);

    List<Future<StoredUser>> futures = askInOneTurn(loop, repository, List.of(good, broken, good));

    assertEquals(new StoredUser(new JsonObject().put("timezone", "good"), false, 1), await(futures.get(0)));
    assertInstanceOf(ClassCastException.class, failure(futures.get(1)), "preferences read as an object");
    assertEquals(new StoredUser(new JsonObject().put("timezone", "good"), false, 1), await(futures.get(2)));
    assertEquals(List.of(3), sizes, "all three in one statement");
  }

  @Test
  void aBatchTheDatabaseNeverAnswersFailsEveryReadAtTheDeadline() throws Exception {
    // Accepts connections (the kernel's backlog) and never says a word: a frozen database.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      readsFrom(Database.connectOptions(url).setPort(silent.getLocalPort()));
      Context loop = vertx.getOrCreateContext();
      MeRepository repository = createOn(loop, 300);
      List<UUID> asked = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

      List<Throwable> failures = askInOneTurn(loop, repository, asked).stream().map(ReadBatchesTest::failure).toList();

      assertEquals(List.of(3), sizes, "one statement carried all three");
      for (Throwable failure : failures) {
        assertInstanceOf(TimeoutException.class, failure, "the repository's deadline, on each read");
      }
    }
  }

  @Test
  void concurrentGetsThroughHttpEachReturnTheirOwnUsersPreferencesAndAreCounted() throws Exception {
    // Twenty-four distinct zones: a response carrying another user's row shows.
    String[] zones = {"Europe/Berlin", "Asia/Kolkata", "America/Chicago", "Australia/Sydney", "Europe/London",
        "Asia/Tokyo", "America/New_York", "Africa/Cairo", "Europe/Paris", "Asia/Singapore", "America/Denver",
        "Pacific/Auckland", "Europe/Madrid", "Asia/Seoul", "America/Sao_Paulo", "Africa/Lagos", "Europe/Rome",
        "Asia/Dubai", "America/Los_Angeles", "Atlantic/Reykjavik", "Europe/Oslo", "Asia/Bangkok",
        "America/Toronto", "Pacific/Honolulu"};
    Map<String, String> env = TestConfig.env();
    env.put("DATABASE_URL", url);
    // Every GET must read the database here: what is measured is the batching of those reads.
    env.put("USER_CACHE_SIZE", "0");
    App app = await(App.start(vertx, TestConfig.config(env)));
    ExecutorService clients = Executors.newFixedThreadPool(zones.length);
    try {
      Api api = new Api(app.port(), app.managementPort());
      List<String> tokens = new ArrayList<>();
      for (String zone : zones) {
        String token = Tokens.session(Tokens.newUserId());
        assertEquals(200, api.patch(token, "{\"preferences\": {\"timezone\": \"" + zone + "\"}}").status());
        tokens.add(token);
      }
      String before = api.metrics().text();
      long statementsBefore = proxy.executions(UserSql.FIND_USER) + proxy.executions(UserSql.FIND_USERS);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Api.Response>> responses = new ArrayList<>();
      for (String token : tokens) {
        responses.add(CompletableFuture.supplyAsync(() -> {
          awaitQuietly(go);
          return api.get(token);
        }, clients));
      }
      go.countDown();

      for (int i = 0; i < zones.length; i++) {
        Api.Response response = responses.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(200, response.status());
        assertEquals(zones[i], response.data().getJsonObject("preferences").getString("timezone"), "user " + i);
      }
      String after = api.metrics().text();
      long statements = proxy.executions(UserSql.FIND_USER) + proxy.executions(UserSql.FIND_USERS) - statementsBefore;
      double counted = sample(after, "db_read_batch_size_count") - sample(before, "db_read_batch_size_count");

      assertEquals(zones.length, sample(after, "db_read_batch_size_sum") - sample(before, "db_read_batch_size_sum"),
          "every read counted once");
      assertTrue(counted >= 1 && counted <= zones.length, counted + " statements for " + zones.length + " reads");
      assertEquals(statements, counted, "the metric counts the statements the database ran");
      System.out.printf("%d concurrent GETs went to PostgreSQL as %.0f statements%n", zones.length, counted);
    } finally {
      clients.shutdownNow();
      await(app.stop());
    }
  }

  @Test
  void aLoneReadOfARowThatCannotBeReadFailsRatherThanHanging() {
    UUID broken = unreadableUser();
    Context loop = vertx.getOrCreateContext();
    MeRepository repository = createOn(loop, 0);

    Throwable failure = failure(askInOneTurn(loop, repository, List.of(broken)).get(0));

    assertInstanceOf(ClassCastException.class, failure, "preferences read as an object");
    assertEquals(List.of(1), sizes);
  }

  /**
   * A row no valid write makes (its preferences are not an object), as a hand edit of the table
   * could leave; reading it fails.
   */
  private static UUID unreadableUser() {
    UUID id = newUser();
    await(writes.pool().preparedQuery("INSERT INTO users (id, clerk_user_id, preferences) VALUES ($1, $2, '[1]'::jsonb)")
        .execute(Tuple.of(id, clerkId(id))));
    return id;
  }

  /** A user written {@code times} times (so at version {@code times}), last with {@code preferences}. */
  private static UUID seed(int times, JsonObject preferences) {
    UUID id = newUser();
    for (int i = 1; i < times; i++) {
      await(patch(id, new JsonObject().put("timezone", "earlier-" + i)));
    }
    await(patch(id, preferences));
    return id;
  }

  private static Future<StoredUser> patch(UUID id, JsonObject preferences) {
    return MeRepository.create(writes).patch(id, clerkId(id), new PreferencesPatch(preferences, List.of()), null);
  }

  /** A new user's id, derived from a new Clerk user id as the service derives it (setStaff needs that). */
  private static UUID newUser() {
    String clerk = Tokens.newUserId();
    UUID id = Ids.userId(clerk);
    CLERK_IDS.put(id, clerk);
    return id;
  }

  private static String clerkId(UUID id) {
    return CLERK_IDS.get(id);
  }

  /** Each user as the single-row statement reads it, off the loop: what a batch must agree with. */
  private static Map<UUID, StoredUser> alone(List<UUID> ids) {
    MeRepository reference = MeRepository.create(writes);
    Map<UUID, StoredUser> users = new HashMap<>();
    for (UUID id : ids) {
      users.put(id, await(reference.find(id, -1)));
    }
    return users;
  }

  /** The repository as a verticle makes it: created on {@code loop}, reporting sizes to {@link #sizes}. */
  private MeRepository createOn(Context loop, long deadlineMillis) {
    assertTrue(loop.isEventLoopContext());
    return onContext(loop, () -> MeRepository.create(Reads.from(reads), writes, UserCache.disabled(), deadlineMillis, sizes::add));
  }

  private static List<StoredUser> findInOneTurn(Context loop, MeRepository repository, List<UUID> ids) {
    return askInOneTurn(loop, repository, ids).stream().map(ReadBatchesTest::await).toList();
  }

  /** Every read asked for inside one task on {@code loop}: one turn of its event loop. */
  private static List<Future<StoredUser>> askInOneTurn(Context loop, MeRepository repository, List<UUID> ids) {
    return onContext(loop, () -> ids.stream().map(id -> repository.find(id, -1)).toList());
  }

  private static <T> T onContext(Context context, Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(task.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return join(result);
  }

  /** Replaces this test's read client by one on {@code options}. */
  private void readsFrom(PgConnectOptions options) {
    await(reads.close());
    reads = pipelined(options);
  }

  private static SqlClient pipelined(PgConnectOptions options) {
    return PgBuilder.client().with(new PoolOptions().setMaxSize(1))
        .connectingTo(options.setPipeliningLimit(64)).using(vertx).build();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The value of the unlabelled sample {@code name}, 0 when it is absent. */
  private static double sample(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Why {@code future} failed. Bounded: a read left unanswered fails the test (its
   * TimeoutException is the test's own wait, not a failed read) rather than hanging it.
   */
  private static Throwable failure(Future<?> future) {
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
    return failed.getCause();
  }

  private static <T> T await(Future<T> future) {
    return join(future.toCompletionStage().toCompletableFuture());
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }
}
