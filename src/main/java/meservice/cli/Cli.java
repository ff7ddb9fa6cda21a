package meservice.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import meservice.config.AppConfig;
import meservice.db.Database;
import meservice.db.Migrations;
import meservice.db.WritePool;
import picocli.CommandLine;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command's arguments ({@code apikey create --org ...}) parsed by picocli into the
 * {@link OneShot} its {@code @Command} method returns, with the service's own usage text and
 * messages: a mistake is one line saying what is wrong, then the usage, as an
 * {@link IllegalArgumentException} (exit 2); {@code help} first, or {@code -h} or {@code --help}
 * anywhere, is the usage alone, without a database.
 */
public final class Cli {

  /** A command that runs once and ends: its future holds the text to print. */
  public interface OneShot {
    Future<String> run(Vertx vertx, AppConfig config);
  }

  private Cli() {}

  /** {@code action} on the migrated database, opened when the command runs and closed after it. */
  static OneShot onMigratedDatabase(Function<WritePool, Future<String>> action) {
    return (vertx, config) -> {
      config.database().requireUrl();
      WritePool pool = Database.pool(vertx, config.database());
      return Migrations.load().apply(vertx, config.database())
          .compose(v -> action.apply(pool))
          .eventually(pool::close);
    };
  }

  /** {@code args[0]} is the command's name; the rest are parsed against {@code command}'s subcommands. */
  static Future<String> run(Object command, String usage, Vertx vertx, AppConfig config, String[] args) {
    // Arguments are taken as they are: an @file is a value, not a file to read arguments from.
    CommandLine root = new CommandLine(command).setExpandAtFiles(false);
    root.getCommandSpec().parser().collectErrors(true);
    List<CommandLine> all = new ArrayList<>(root.getSubcommands().values());
    all.add(root);
    all.stream().filter(line -> !line.getCommandSpec().helpCommand()) // picocli's help command has its own
        .forEach(line -> line.getCommandSpec().addOption(OptionSpec.builder("-h", "--help").usageHelp(true).build()));
    try {
      ParseResult parsed = root.parseArgs(Arrays.copyOfRange(args, 1, args.length));
      CommandLine leaf = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
      if (leaf.getCommandSpec().helpCommand() || all.stream().anyMatch(CommandLine::isUsageHelpRequested)) {
        return Future.succeededFuture(usage);
      }
      if (!parsed.errors().isEmpty()) {
        throw new IllegalArgumentException(problem((ParameterException) parsed.errors().get(0)) + "\n" + usage);
      }
      if (leaf == root) {
        List<String> names = new ArrayList<>(new TreeSet<>(root.getSubcommands().keySet()));
        names.remove("help");
        String last = names.remove(names.size() - 1);
        String which = names.isEmpty() ? last : String.join(", ", names) + " or " + last;
        throw new IllegalArgumentException(root.getCommandName() + ": which one? " + which + "\n" + usage);
      }
      new CommandLine.RunLast().execute(parsed);
      return leaf.<OneShot>getExecutionResult().run(vertx, config);
    } catch (ExecutionException e) {
      return Future.failedFuture(e.getCause()); // a value the command refuses (IllegalArgumentException)
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  /** picocli's exception as the line this service prints: {@code apikey create: --org needs a value}. */
  private static String problem(ParameterException e) {
    String where = e.getCommandLine().getCommandSpec().qualifiedName() + ": ";
    if (e instanceof UnmatchedArgumentException unmatched) {
      String argument = unmatched.getUnmatched().get(0);
      return where + (!e.getCommandLine().getSubcommands().isEmpty() ? "unknown command '" + argument + "'"
          : !unmatched.isUnknownOption() ? "unexpected argument '" + argument + "'"
          : "unknown option " + argument + unmatched.getSuggestions().stream().findFirst()
              .map(option -> " (did you mean " + option + "?)").orElse(""));
    }
    if (e instanceof MissingParameterException missing && missing.getMissing().get(0) instanceof OptionSpec option) {
      return where + option.longestName() + " needs a value";
    }
    if (e instanceof OverwrittenOptionException twice && twice.getOverwritten() instanceof OptionSpec option) {
      return where + option.longestName() + " is given twice";
    }
    return where + e.getMessage();
  }
}
