package dev.slipway.e2e.workloads;

import dev.slipway.e2e.api.Kubectl;
import dev.slipway.e2e.api.KubectlStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code kubectl get pods -w --output-watch-events} on a selector, kept running during a test:
 * replays what it printed to tell, after each event, which pods existed and which were ready.
 */
final class PodEvents implements AutoCloseable {

  /** One pod as one watch event showed it. */
  record Seen(String type, String name, String uid, String node, String phase, boolean ready, boolean terminating) {
  }

  // '|' between fields: kubectl's watch output goes through a tab writer that turns tabs into spaces.
  private static final String FORMAT = "jsonpath={.type}{\"|\"}{.object.metadata.name}{\"|\"}{.object.metadata.uid}{\"|\"}{.object.spec.nodeName}"
      + "{\"|\"}{.object.status.phase}{\"|\"}{.object.status.conditions[?(@.type==\"Ready\")].status}"
      + "{\"|\"}{.object.metadata.deletionTimestamp}{\"\\n\"}";

  private final KubectlStream stream;

  private PodEvents(KubectlStream stream) {
    this.stream = stream;
  }

  static PodEvents watch(Kubectl kubectl, String namespace, String selector) {
    return new PodEvents(kubectl.stream("get", "pods", "-n", namespace, "-l", selector, "-w", "--output-watch-events", "-o", FORMAT));
  }

  List<Seen> events() {
    return stream.lines().stream().filter(line -> line.contains("|")).map(line -> {
      String[] f = line.strip().split("\\|", -1);
      return new Seen(f[0], f[1], f[2], f[3], f[4], "True".equals(f[5]), !f[6].isEmpty());
    }).toList();
  }

  /**
   * The events after the first {@code count}, from one reading of the stream: the watch keeps
   * adding, so a list read once and a size read again may not match.
   */
  List<Seen> after(int count) {
    List<Seen> all = events();
    return all.subList(count, all.size());
  }

  /** After each event: how many pods were ready and not being deleted. */
  List<Integer> readyCounts() {
    Map<String, Seen> pods = new LinkedHashMap<>();
    List<Integer> counts = new ArrayList<>();
    for (Seen seen : events()) {
      if (seen.type().equals("DELETED")) {
        pods.remove(seen.name());
      } else {
        pods.put(seen.name(), seen);
      }
      counts.add((int) pods.values().stream().filter(p -> p.ready() && !p.terminating()).count());
    }
    return counts;
  }

  /** After each event: the pods that were running (phase Running, not being deleted). */
  List<List<String>> runningAfterEachEvent() {
    Map<String, Seen> pods = new LinkedHashMap<>();
    List<List<String>> running = new ArrayList<>();
    for (Seen seen : events()) {
      if (seen.type().equals("DELETED")) {
        pods.remove(seen.name());
      } else {
        pods.put(seen.name(), seen);
      }
      running.add(pods.values().stream().filter(p -> p.phase().equals("Running") && !p.terminating()).map(Seen::name).toList());
    }
    return running;
  }

  /**
   * Pods whose name came back with a new uid while the previous one with that name still existed
   * (a StatefulSet ordinal running twice); empty when every replacement waited for its predecessor.
   */
  List<String> namesWithTwoLiveIncarnations() {
    Map<String, String> liveUid = new LinkedHashMap<>();
    List<String> twice = new ArrayList<>();
    for (Seen seen : events()) {
      String previous = liveUid.get(seen.name());
      if (seen.type().equals("DELETED")) {
        liveUid.remove(seen.name());
      } else {
        if (previous != null && !previous.equals(seen.uid())) {
          twice.add(seen.name() + " (" + previous + " and " + seen.uid() + ")");
        }
        liveUid.put(seen.name(), seen.uid());
      }
    }
    return twice;
  }

  @Override
  public String toString() {
    return stream.toString();
  }

  @Override
  public void close() {
    stream.close();
  }
}
