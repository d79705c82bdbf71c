package dev.slipway.provisioner.inventory;

import java.util.Optional;
import java.util.regex.Pattern;

/** A node taint, written {@code key=value:Effect} (or {@code key:Effect}) in the inventory. */
public record Taint(String key, String value, Effect effect) {

  public enum Effect { NoSchedule, PreferNoSchedule, NoExecute }

  private static final Pattern FORM = Pattern.compile(
      "([A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)(=([-A-Za-z0-9_.]*))?:(NoSchedule|PreferNoSchedule|NoExecute)");

  static Optional<Taint> parse(String text) {
    var m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Taint(m.group(1), m.group(4) == null ? "" : m.group(4), Effect.valueOf(m.group(5))));
  }

  @Override
  public String toString() {
    return key + (value.isEmpty() ? "" : "=" + value) + ":" + effect;
  }
}
