package meservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** {@code CLERK_JWT_KEY}: one PEM public key, no network. */
public final class PemKeySource implements KeySource {

  private final Future<SigningKeys> keys;

  public PemKeySource(Vertx vertx, String pem, List<String> algorithms) {
    this.keys = Future.succeededFuture(SigningKeys.fromPem(vertx, pem, algorithms));
  }

  @Override
  public Future<SigningKeys> keysFor(String kid) {
    return keys;
  }
}
