package dev.slipway.provisioner.up;

import dev.slipway.agent.join.ApiClients;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Waits, bounded, until every master and worker is a Ready Node, printing every few seconds which
 * hosts are not Ready yet and why (not registered, or the Ready condition's reason).
 */
final class WaitForNodes implements Phase, MayBeSkipped {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private final UpRun run;
  private final Duration timeout;

  WaitForNodes(UpRun run, Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String title() {
    return "Wait until every Node is Ready";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    return !context.inventory().hostsWith(Role.MASTER).isEmpty() && !nodes(context).isEmpty();
  }

  @Override
  public void run(ClusterContext context) throws InterruptedException {
    var expected = nodes(context).stream().map(Host::name).toList();
    var masters = context.inventory().hostsWith(Role.MASTER);
    var access = AdminAccess.of(context.inventory().name(), run.dir(), run.catalogue());
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
    int master = 0;
    while (true) {
      Map<String, String> notReady;
      String apiProblem = "";
      // Ask the masters in turn: one that went away must not hold up a cluster the others serve.
      var server = NodeSections.apiServerUrl(masters.get(master));
      try (var client = access.client(server)) {
        notReady = notReady(expected, client.nodes().list().getItems());
      } catch (KubernetesClientException e) {
        var unknown = new LinkedHashMap<String, String>();
        expected.forEach(name -> unknown.put(name, "unknown"));
        notReady = unknown;
        apiProblem = "; the API at " + server + " did not answer: " + ApiClients.describe(e);
        master = (master + 1) % masters.size();
      }
      if (notReady.isEmpty()) {
        context.progress().note("nodes: " + expected.size() + " of " + expected.size() + " Ready");
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new PhaseFailed("nodes not Ready after " + timeout.toSeconds() + "s: " + describe(notReady) + apiProblem
            + ". See /var/log/slipway/agent.log on those hosts.");
      }
      if (System.nanoTime() > nextReport) {
        context.progress().note("waiting for nodes: " + (expected.size() - notReady.size()) + " of " + expected.size()
            + " Ready; not yet " + describe(notReady) + apiProblem);
        nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
      Thread.sleep(1000);
    }
  }

  private static List<Host> nodes(ClusterContext context) {
    return context.inventory().hosts().stream().filter(NodeSections::runsKubelet).toList();
  }

  /** Host name to why it is not Ready, for each expected node that is not; empty when all are. */
  static Map<String, String> notReady(List<String> expected, List<Node> nodes) {
    var byName = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n, (a, b) -> a));
    var notReady = new LinkedHashMap<String, String>();
    for (var name : expected) {
      var node = byName.get(name);
      if (node == null) {
        notReady.put(name, "not registered");
        continue;
      }
      var ready = readyCondition(node);
      if (ready.isEmpty()) {
        notReady.put(name, "no Ready condition");
      } else if (!"True".equals(ready.get().getStatus())) {
        notReady.put(name, "Ready=" + ready.get().getStatus()
            + (ready.get().getReason() == null ? "" : " (" + ready.get().getReason() + ")"));
      }
    }
    return notReady;
  }

  private static Optional<io.fabric8.kubernetes.api.model.NodeCondition> readyCondition(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  private static String describe(Map<String, String> notReady) {
    return notReady.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
  }
}
