package meservice.cli;

/**
 * A command cannot go on for a reason the user can act on; its message is printed as it is (no
 * exception class, no stack trace) and the process exits 1.
 */
public final class CommandException extends RuntimeException {

  public CommandException(String message) {
    super(message, null, false, false);
  }
}
