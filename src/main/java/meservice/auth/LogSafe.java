package meservice.auth;

/**
 * Values read from a token before its signature is checked are the attacker's: they reach the log
 * quoted, with quotes, backslashes and control characters escaped (a newline cannot start a forged
 * line) and cut to {@value #MAX_CHARS} characters (a claim cannot flood the log).
 */
public final class LogSafe {

  static final int MAX_CHARS = 64;

  private LogSafe() {}

  /** {@code "value"} escaped and bounded; JSON numbers, booleans and {@code null} as they are. */
  public static String quote(Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    String text = value.toString();
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8).append('"');
    int end = Math.min(text.length(), MAX_CHARS);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
    if (text.length() > MAX_CHARS) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
