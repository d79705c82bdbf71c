package dev.slipway.agent.hollow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.scheduler.SchedulerService;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component test: three hollow nodes on a real etcd and API server, each with its own node identity,
 * and the real scheduler. The nodes register, turn Ready and hold Leases; pods are scheduled onto
 * them, reported Running by their kubelets with addresses from the node's range, and cleaned up when
 * deleted. What the scheduling benchmark relies on, at a size a test can afford.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HollowNodeComponentTest {

  private static final int NODES = 3;
  private static final String NAMESPACE = "hollow";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path base;
  private HollowCluster cluster;
  private KubernetesClient schedulerClient;
  private LeaderElectedService scheduler;

  @BeforeAll
  void start() throws Exception {
    cluster = HollowCluster.start(base);
    cluster.addNodes(0, NODES, NODES);
    schedulerClient = cluster.adminClient();
    scheduler = SchedulerService.start(schedulerClient, new SchedulerService.Settings("hollow-test", "kube-system", "kube-scheduler", 2));
    cluster.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
  }

  @AfterAll
  void stop() {
    if (scheduler != null) {
      scheduler.close();
    }
    if (schedulerClient != null) {
      schedulerClient.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyHollowNodeTurnsReadyAndRenewsItsLease() {
    await("all hollow nodes Ready").atMost(WAIT).until(() -> cluster.readyNodes() == NODES);

    List<Lease> leases = cluster.admin().leases().inNamespace("kube-node-lease").list().getItems();
    assertThat(leases).extracting(l -> l.getMetadata().getName()).containsAll(List.of("hollow-0", "hollow-1", "hollow-2"));
  }

  @Test
  void aKubeletWhoseRuntimeStopsAnsweringIsUnhealthyUntilItAnswersAgain() {
    await("all hollow nodes Ready").atMost(WAIT).until(() -> cluster.readyNodes() == NODES);
    Kubelet kubelet = cluster.nodes().getFirst().kubelet();
    HollowRuntime runtime = (HollowRuntime) kubelet.runtime();
    assertThat(kubelet.healthy()).isTrue();

    runtime.answering(false);
    try {
      assertThat(kubelet.healthy()).isFalse();
    } finally {
      runtime.answering(true);
    }
    assertThat(kubelet.healthy()).isTrue();
  }

  @Test
  void scheduledPodsAreReportedRunningByTheirHollowKubelets() {
    await("all hollow nodes Ready").atMost(WAIT).until(() -> cluster.readyNodes() == NODES);

    for (int i = 0; i < 6; i++) {
      cluster.admin().pods().inNamespace(NAMESPACE).resource(BenchPods.pod("run-" + i)).create();
    }

    await("6 pods Running").atMost(WAIT).until(() -> running("run-").size() == 6);
    for (Pod pod : running("run-")) {
      String node = pod.getSpec().getNodeName();
      assertThat(node).startsWith("hollow-");
      String range = HollowNode.Spec.podIpPrefix(Integer.parseInt(node.substring("hollow-".length())));
      assertThat(pod.getStatus().getPodIP()).startsWith(range);
    }
  }

  @Test
  void aDeletedPodIsStoppedInTheHollowRuntimeAndRemovedFromTheApi() {
    await("all hollow nodes Ready").atMost(WAIT).until(() -> cluster.readyNodes() == NODES);
    cluster.admin().pods().inNamespace(NAMESPACE).resource(BenchPods.pod("doomed")).create();
    await("pod Running").atMost(WAIT).until(() -> running("doomed").size() == 1);
    String uid = running("doomed").getFirst().getMetadata().getUid();

    cluster.admin().pods().inNamespace(NAMESPACE).withName("doomed").delete();

    await("pod gone from the API").atMost(WAIT).until(() -> cluster.admin().pods().inNamespace(NAMESPACE).withName("doomed").get() == null);
    await("sandbox removed").atMost(WAIT).until(() -> cluster.nodes().stream()
        .flatMap(n -> n.kubelet().runtime().listPodSandboxes().stream()).noneMatch(s -> s.uid().equals(uid)));
  }

  private List<Pod> running(String prefix) {
    return cluster.admin().pods().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith(prefix))
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .toList();
  }
}
