package dev.slipway.e2e.workloads;

import dev.slipway.e2e.api.Kubectl;
import java.util.List;

/** The pods of a namespace as kubectl lists them: name, node, phase, ready, restarts, being deleted. */
record PodTable(List<Row> rows) {

  record Row(String name, String node, String phase, boolean ready, int restarts, boolean terminating) {
  }

  private static final String COLUMNS = "{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.nodeName}{\"\\t\"}{.status.phase}"
      + "{\"\\t\"}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\t\"}{.status.containerStatuses[0].restartCount}"
      + "{\"\\t\"}{.metadata.deletionTimestamp}{\"\\n\"}{end}";

  static PodTable of(Kubectl kubectl, String namespace, String selector) {
    String out = kubectl.ok("get", "pods", "-n", namespace, "-l", selector, "-o", "jsonpath=" + COLUMNS);
    return new PodTable(out.lines().filter(line -> !line.isBlank()).map(PodTable::row).toList());
  }

  private static Row row(String line) {
    String[] f = line.split("\t", -1);
    return new Row(f[0], f[1], f[2], "True".equals(f[3]), f[4].isEmpty() ? 0 : Integer.parseInt(f[4]), !f[5].isEmpty());
  }

  List<Row> live() {
    return rows.stream().filter(r -> !r.terminating()).toList();
  }

  long readyCount() {
    return live().stream().filter(Row::ready).count();
  }

  List<String> nodes() {
    return live().stream().map(Row::node).distinct().sorted().toList();
  }

  Row only() {
    var live = live();
    if (live.size() != 1) {
      throw new AssertionError("expected one live pod, got " + rows);
    }
    return live.getFirst();
  }

  @Override
  public String toString() {
    return rows.stream().map(Row::toString).reduce("", (a, b) -> a + "\n  " + b);
  }
}
