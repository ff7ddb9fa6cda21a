package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** {@code CLERK_JWT_KEY}: one PEM public key, no network. */
public final class PemKeySource implements KeySource {

  private final SigningKeys keys;
  private final Future<SigningKeys> loaded;

  public PemKeySource(Vertx vertx, String pem, List<String> algorithms) {
    this.keys = SigningKeys.fromPem(vertx, pem, algorithms);
    this.loaded = Future.succeededFuture(keys);
  }

  @Override
  public Future<SigningKeys> keysFor(String kid) {
    return loaded;
  }

  @Override
  public SigningKeys current() {
    return keys;
  }

  @Override
  public boolean requiresKid() {
    return false;
  }
}
