package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.Migrations;
import meservice.me.MeRepository;

/** {@code user set-staff CLERK_USER_ID true|false}. */
public final class UserCommand {

  private UserCommand() {}

  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    if (args.length != 4 || !"set-staff".equals(args[1]) || !(args[3].equals("true") || args[3].equals("false"))) {
      return Future.failedFuture(new IllegalArgumentException("usage: user set-staff CLERK_USER_ID true|false"));
    }
    String clerkUserId = args[2];
    boolean staff = Boolean.parseBoolean(args[3]);
    Pool pool = Database.pool(vertx, config);
    return Migrations.load().apply(vertx, config)
        .compose(v -> MeRepository.create(pool).setStaff(clerkUserId, staff))
        .map(v -> "user " + clerkUserId + " is_staff=" + staff)
        .eventually(pool::close);
  }
}
