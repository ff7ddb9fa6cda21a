package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.WritePool;
import meservice.db.Migrations;
import meservice.me.MeRepository;

/** {@code user set-staff CLERK_USER_ID true|false}. */
public final class UserCommand {

  static final String USAGE = "usage: user set-staff CLERK_USER_ID true|false";

  private UserCommand() {}

  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    if (args.length > 1 && (args[1].equals("help") || args[1].equals("--help") || args[1].equals("-h"))) {
      return Future.succeededFuture(USAGE);
    }
    String problem = problem(args);
    if (problem != null) {
      return Future.failedFuture(new IllegalArgumentException(problem + "\n" + USAGE));
    }
    String clerkUserId = args[2];
    boolean staff = Boolean.parseBoolean(args[3]);
    WritePool pool = Database.pool(vertx, config.database());
    return Migrations.load().apply(vertx, config.database())
        .compose(v -> MeRepository.create(pool).setStaff(clerkUserId, staff))
        .map(v -> "user " + clerkUserId + " is_staff=" + staff)
        .eventually(pool::close);
  }

  /** What is wrong with the arguments, or {@code null}. */
  private static String problem(String[] args) {
    if (args.length < 2) {
      return "user: which one? set-staff";
    }
    if (!args[1].equals("set-staff")) {
      return "user: unknown command '" + args[1] + "'";
    }
    if (args.length < 4) {
      return "user set-staff: a Clerk user id and true or false are required";
    }
    if (args.length > 4) {
      return "user set-staff: unexpected argument '" + args[4] + "'";
    }
    if (!args[3].equals("true") && !args[3].equals("false")) {
      return "user set-staff: the flag must be true or false, not '" + args[3] + "'";
    }
    return null;
  }
}
