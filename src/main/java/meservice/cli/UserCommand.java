package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import meservice.cli.Cli.OneShot;
import meservice.config.AppConfig;
import meservice.me.MeRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Parameters;

/** {@code user set-staff CLERK_USER_ID true|false}. */
@Command(name = "user", subcommands = HelpCommand.class)
public final class UserCommand {

  static final String USAGE = "usage: user set-staff CLERK_USER_ID true|false";

  private UserCommand() {}

  /** {@code args} as Main gets them, {@code user} first. */
  public static Future<String> run(Vertx vertx, AppConfig config, String[] args) {
    return Cli.run(new UserCommand(), USAGE, vertx, config, args);
  }

  @Command(name = "set-staff")
  OneShot setStaff(@Parameters(index = "0", arity = "0..1") String clerkUserId,
      @Parameters(index = "1", arity = "0..1") String flag) {
    if (flag == null) {
      throw new IllegalArgumentException("user set-staff: a Clerk user id and true or false are required\n" + USAGE);
    }
    if (!flag.equals("true") && !flag.equals("false")) {
      throw new IllegalArgumentException("user set-staff: the flag must be true or false, not '" + flag + "'\n" + USAGE);
    }
    boolean staff = Boolean.parseBoolean(flag);
    return Cli.onMigratedDatabase(pool -> MeRepository.create(pool).setStaff(clerkUserId, staff)
        .map(v -> "user " + clerkUserId + " is_staff=" + staff));
  }
}
