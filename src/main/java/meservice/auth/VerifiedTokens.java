package meservice.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Arrays;
import meservice.crypto.Digests;
import meservice.identity.Principal;

/**
 * Session tokens whose signature and claims already passed, so that a dashboard reusing one token
 * for a minute pays for one RS256 verify instead of one per request. Keyed by the SHA-256 of the
 * token (never the token itself); {@code exp}/{@code nbf} are checked again on every hit. Entries
 * belong to the key set that verified them: when the signing keys change, the cache empties, so a
 * token whose key was withdrawn is verified again (and refused). Shared by every event loop.
 * Bounded in entries: Caffeine evicts the least likely to be asked for again, and an entry found
 * expired is dropped.
 */
final class VerifiedTokens {

  static final int DEFAULT_MAX_ENTRIES = 100_000;

  /** What a hit needs: the caller, and the claims that go stale on their own. */
  record Entry(Principal.ClerkUser principal, long exp, long nbf, SigningKeys keys) {}

  private final Cache<Key, Entry> entries;
  private final long skewSeconds;
  private volatile SigningKeys keySet;

  VerifiedTokens(int maxEntries, long skewSeconds) {
    this.skewSeconds = skewSeconds;
    this.entries = Caffeine.newBuilder().maximumSize(maxEntries).build();
  }

  static Key key(String token) {
    return key(token, 0, token.length());
  }

  /** The key of the token at {@code [start, end)} of {@code text}. */
  static Key key(String text, int start, int end) {
    return new Key(Digests.sha256Latin1(text, start, end));
  }

  /** The principal of a token verified under {@code current} keys and still in its time window. */
  Principal.ClerkUser get(Key key, SigningKeys current, long nowSeconds) {
    Entry entry = entries.getIfPresent(key);
    if (entry == null) {
      return null;
    }
    if (entry.keys != current) {
      forgetKeysOtherThan(current);
      return null;
    }
    if (nowSeconds - skewSeconds >= entry.exp || entry.nbf > nowSeconds + skewSeconds) {
      // Verified again from scratch, which gives the precise refusal reason for the log.
      entries.asMap().remove(key, entry);
      return null;
    }
    return entry.principal;
  }

  void put(Key key, Entry entry, SigningKeys current) {
    if (entry.keys != current) {
      // The keys rotated while this token was being verified: keep nothing from the old set.
      return;
    }
    if (keySet != current) {
      forgetKeysOtherThan(current);
    }
    entries.put(key, entry);
  }

  /** Entries held now, after pending evictions. */
  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  private synchronized void forgetKeysOtherThan(SigningKeys current) {
    if (keySet != current) {
      keySet = current;
      entries.invalidateAll();
    }
  }

  /** A SHA-256 digest as a map key; its first bytes are already uniformly distributed. */
  static final class Key {
    private final byte[] digest;
    private final int hash;

    private Key(byte[] digest) {
      this.digest = digest;
      this.hash = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | digest[3] & 0xff;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && Arrays.equals(digest, k.digest);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
