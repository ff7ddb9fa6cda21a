package meservice.me;

/** Every statement on the {@code users} table. */
public final class UserSql {

  private UserSql() {}

  /**
   * The LISTEN/NOTIFY channel on which a user row's change is announced to every instance: by the
   * service right after its PATCH commits ({@code ANNOUNCE_USER_CHANGE}), by a trigger inside any
   * other changing transaction (migrations V4, V5): {@code <id>:<version>}, {@code <id>:} for a
   * deleted row, {@code *} for a truncated table.
   */
  public static final String USER_CHANGED_CHANNEL = "user_changed";

  public static final String FIND_USER =
      "SELECT preferences, is_staff, version FROM users WHERE id = $1";

  /** Many users' rows in one statement, each with its id: the GET path's batched read. */
  public static final String FIND_USERS =
      "SELECT id, preferences, is_staff, version FROM users WHERE id = ANY($1::uuid[])";

  /**
   * JSON Merge Patch of the preferences in one round trip, atomic per row: $3 holds the keys to
   * set, $4 the keys to clear. Concurrent patches of different keys therefore never lose each
   * other's writes; for the same key the last commit wins.
   *
   * <p>$5 is {@code If-Match} as the versions it accepts ({@code NULL}: unconditional). The check
   * runs under the row lock of the upsert itself, so a write that raced in between makes this one
   * write nothing and return no row (412), never overwrite. Version 0 names "no row yet"; a row is
   * only created when that is accepted (or the row exists and the conflict path checks it).
   *
   * <p>The transaction is marked to be announced after its commit ({@code ANNOUNCE_USER_CHANGE}),
   * so the trigger of migration V5 does not notify inside it.
   */
  public static final String PATCH_PREFERENCES =
      "INSERT INTO users AS u (id, clerk_user_id, preferences) "
          + "SELECT $1::uuid, $2::text, $3::jsonb "
          + "FROM (SELECT set_config('me_service.announced_after_commit', 'on', true)) AS after_commit "
          + "WHERE $5::bigint[] IS NULL OR 0 = ANY($5::bigint[]) "
          + "OR EXISTS (SELECT 1 FROM users WHERE id = $1::uuid) "
          + "ON CONFLICT (id) DO UPDATE "
          + "SET preferences = (u.preferences || $3::jsonb) - $4::text[], "
          + "version = u.version + 1, updated_at = now() "
          + "WHERE $5::bigint[] IS NULL OR u.version = ANY($5::bigint[]) "
          + "RETURNING preferences, is_staff, version";

  /**
   * The change {@code PATCH_PREFERENCES} wrote (user $1, version $2), announced on
   * {@link #USER_CHANGED_CHANNEL} once it committed, in the trigger's payload ({@code <id>:<version>}).
   * Its own transaction, which waits for no WAL flush: it holds PostgreSQL's notify lock for
   * microseconds, where announcing inside the write held it across the write's flush (migration V5).
   */
  public static final String ANNOUNCE_USER_CHANGE =
      "SELECT set_config('synchronous_commit', 'off', true), pg_notify('" + USER_CHANGED_CHANNEL
          + "', $1::uuid::text || ':' || $2::bigint)";

  public static final String SET_STAFF =
      "INSERT INTO users AS u (id, clerk_user_id, is_staff) VALUES ($1, $2, $3) "
          + "ON CONFLICT (id) DO UPDATE SET is_staff = EXCLUDED.is_staff, "
          + "version = u.version + 1, updated_at = now()";
}
