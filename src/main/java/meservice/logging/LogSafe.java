package meservice.logging;

/**
 * Values that come from outside (a token before its signature is checked, a request's path or
 * headers) are the attacker's: they reach the log quoted, with quotes, backslashes and control
 * characters escaped (a newline cannot start a forged line, an escape sequence cannot repaint a
 * terminal) and cut to a bound (a value cannot flood the log).
 */
public final class LogSafe {

  static final int MAX_CHARS = 64;

  private LogSafe() {}

  /** {@code "value"} escaped and cut to {@value #MAX_CHARS} characters; JSON numbers, booleans and {@code null} as they are. */
  public static String quote(Object value) {
    return quote(value, MAX_CHARS);
  }

  /** As {@link #quote(Object)}, cut to {@code maxChars}. */
  public static String quote(Object value, int maxChars) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    String text = value.toString();
    int end = Math.min(text.length(), maxChars);
    StringBuilder out = new StringBuilder(end + 8).append('"');
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else {
        appendEscaped(out, c);
      }
    }
    out.append('"');
    if (text.length() > maxChars) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }

  /**
   * {@code text} with every control character (and the line and paragraph separators, and lone
   * surrogates) written as {@code \}{@code uXXXX}; the same object when there is none, which is
   * the common case.
   */
  public static String escapeControls(String text) {
    int i = 0;
    while (i < text.length() && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      appendEscaped(out, text.charAt(i));
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, char c) {
    if (needsEscape(c)) {
      out.append("\\u").append(Character.forDigit(c >> 12 & 0xf, 16)).append(Character.forDigit(c >> 8 & 0xf, 16))
          .append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
    } else {
      out.append(c);
    }
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029';
  }
}
