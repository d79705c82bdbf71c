package dev.slipway.agent.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style duration strings ({@code 10s}, {@code 6h}, {@code 1h30m}, {@code 500ms}), as the inventory writes them. */
final class GoDuration {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

  private GoDuration() {}

  static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidAgentConfigException("empty duration; write it like 10s, 6h or 1h30m");
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      });
      end = m.end();
    }
    if (end != text.length() || end == 0) {
      throw new InvalidAgentConfigException("'" + text + "' is not a duration; write it like 10s, 6h or 1h30m");
    }
    return total;
  }

  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    append(out, d.toHours(), "h");
    append(out, d.toMinutesPart(), "m");
    append(out, d.toSecondsPart(), "s");
    append(out, d.toMillisPart(), "ms");
    return out.toString();
  }

  private static void append(StringBuilder out, long n, String unit) {
    if (n != 0) {
      out.append(n).append(unit);
    }
  }
}
