package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line per host after {@code up}: {@code created} (first time Slipway set it up), {@code changed}
 * (something was written, started or joined) or {@code unchanged}, with what changed.
 */
public record UpSummary(List<Row> rows) {

  public enum Result { CREATED, CHANGED, UNCHANGED;

    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public record Row(String host, Result result, List<String> changes) {
    public Row {
      changes = List.copyOf(changes);
    }
  }

  public UpSummary {
    rows = List.copyOf(rows);
  }

  public static UpSummary of(UpRun run) {
    var rows = new ArrayList<Row>();
    for (Host host : run.inventory().hosts()) {
      var changes = run.changes(host);
      boolean known = run.previous().flatMap(s -> s.host(host.name())).isPresent();
      var result = !known ? Result.CREATED : changes.isEmpty() ? Result.UNCHANGED : Result.CHANGED;
      rows.add(new Row(host.name(), result, changes));
    }
    return new UpSummary(rows);
  }

  public boolean unchanged() {
    return rows.stream().allMatch(r -> r.result() == Result.UNCHANGED);
  }

  public String table() {
    int width = Math.max(4, rows.stream().mapToInt(r -> r.host().length()).max().orElse(4));
    var out = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %-9s  %s%n", "HOST", "RESULT", "WHAT CHANGED"));
    for (var row : rows) {
      out.append(String.format(Locale.ROOT, "%-" + width + "s  %-9s  %s%n", row.host(), row.result().word(),
          row.changes().isEmpty() ? "-" : describe(row.changes())));
    }
    return out.toString();
  }

  public List<Map<String, Object>> document() {
    return rows.stream().map(r -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("host", r.host());
      row.put("result", r.result().word());
      row.put("changes", r.changes());
      return row;
    }).toList();
  }

  private static String describe(List<String> changes) {
    long written = changes.stream().filter(c -> c.startsWith("wrote ")).count();
    var others = changes.stream().filter(c -> !c.startsWith("wrote ")).toList();
    var parts = new ArrayList<String>();
    if (written > 0) {
      parts.add(written + (written == 1 ? " file written" : " files written"));
    }
    parts.addAll(others);
    return String.join(", ", parts);
  }
}
