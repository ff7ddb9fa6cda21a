package meservice.apikey;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import meservice.db.WritePool;
import meservice.identity.Ids;
import meservice.identity.Principal;

/**
 * Stored API keys: never the secret, only its hash. One statement per call. The lookup of a
 * presented key runs on the read client, never on the write pool: a caller trying unknown keys
 * must not take connections that PATCHes need.
 */
public final class ApiKeyRepository {

  /** What {@code apikey list} shows. */
  public record Listed(UUID id, String name, String prefix, List<String> scopes,
      OffsetDateTime createdAt, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {}

  /** A key found by its hash; a revoked one is found too, so the log can say why it failed. */
  record Found(Principal.ApiKey principal, boolean revoked) {}

  private final WritePool writes;
  private final PreparedQuery<RowSet<Row>> find;

  private ApiKeyRepository(WritePool writes, SqlClient reads) {
    this.writes = writes;
    this.find = reads.preparedQuery(ApiKeySql.FIND_API_KEY);
  }

  /** {@code reads} serves the lookups of presented keys; {@code writes} everything else. */
  public static ApiKeyRepository create(WritePool writes, SqlClient reads) {
    return new ApiKeyRepository(writes, reads);
  }

  /**
   * Generates a key for a Clerk organization and stores its hash; the caller shows the secret
   * once and forgets it. {@code scopes} are sorted and unique.
   */
  public Future<NewApiKey> create(String clerkOrgId, String name, List<String> scopes) {
    UUID id = UUID.randomUUID();
    String secret = ApiKeySecret.generate();
    Tuple params = Tuple.of(id, Ids.orgId(clerkOrgId), clerkOrgId, name, ApiKeySecret.displayPrefix(secret),
        Buffer.buffer(ApiKeySecret.hash(secret)), scopes.toArray(String[]::new));
    return writes.execute(ApiKeySql.INSERT_API_KEY, params).map(rows -> new NewApiKey(id, clerkOrgId, name, scopes, secret,
        rows.iterator().next().getOffsetDateTime(0)));
  }

  public Future<List<Listed>> list(String clerkOrgId) {
    return writes.execute(ApiKeySql.LIST_API_KEYS, Tuple.of(Ids.orgId(clerkOrgId))).map(rows -> {
      List<Listed> keys = new ArrayList<>();
      for (Row row : rows) {
        keys.add(new Listed(row.getUUID(0), row.getString(1), row.getString(2),
            List.of(row.getArrayOfStrings(3)), row.getOffsetDateTime(4), row.getOffsetDateTime(5),
            row.getOffsetDateTime(6)));
      }
      return keys;
    });
  }

  /** The revocation time, or {@code null} when no key has this id. Announced to every instance. */
  public Future<OffsetDateTime> revoke(UUID id) {
    return writes.execute(ApiKeySql.REVOKE_API_KEY, Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0));
  }

  /** {@code null} when no key has this hash. */
  Future<Found> find(byte[] hash) {
    return find.execute(Tuple.of(Buffer.buffer(hash))).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      List<String> scopes = List.copyOf(new TreeSet<>(List.of(row.getArrayOfStrings(2))));
      Principal.ApiKey principal = new Principal.ApiKey(row.getUUID(0), row.getUUID(1), scopes);
      return new Found(principal, row.getBoolean(3));
    });
  }

  Future<Void> touch(Map<UUID, OffsetDateTime> lastUses) {
    UUID[] ids = lastUses.keySet().toArray(UUID[]::new);
    OffsetDateTime[] times = new OffsetDateTime[ids.length];
    for (int i = 0; i < ids.length; i++) {
      times[i] = lastUses.get(ids[i]);
    }
    return writes.execute(ApiKeySql.TOUCH_API_KEYS, Tuple.tuple().addArrayOfUUID(ids).addArrayOfOffsetDateTime(times)).mapEmpty();
  }
}
