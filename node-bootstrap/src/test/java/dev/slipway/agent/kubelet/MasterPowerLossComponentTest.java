package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.node.NodeAgent;
import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.SandboxStatus;
import dev.slipway.agent.testing.SilentRelay;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Component test: a worker's node services on a real etcd and real API servers, one of which sits
 * behind a relay that can make it look like a master that lost power (its connections hang without
 * RST) or like a path that silently dropped the connections open at the time. The node's heartbeat
 * and its pod watch must carry on in both cases.
 */
class MasterPowerLossComponentTest {

  private static final String NODE = "worker-1";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path base;
  private ClusterFixture cluster;
  private final List<SilentRelay> relays = new ArrayList<>();
  private NodeServices node;

  @AfterEach
  void stop() {
    if (node != null) {
      stopPods(node.kubelet().runtime());
      node.close();
    }
    relays.forEach(SilentRelay::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void leaseRenewalsAndThePodWatchCarryOnWhenAMasterLosesPower() throws Exception {
    // Given: masters a (behind a relay) and b; the node is Ready
    startCluster(2);
    SilentRelay a = relayTo(cluster.servers().get(0).url());
    startNode(List.of(a.url(), cluster.servers().get(1).url()));

    // When
    a.powerOff();
    Instant off = Instant.now();

    // Then: the Lease is renewed twice more, a new pod reaches the kubelet, the node stays Ready
    await().atMost(WAIT).until(() -> renewTime().isAfter(off.plus(NodeAgent.PERIOD)));
    createPod("after-power-off");
    await().atMost(WAIT).until(() -> node.kubelet().pod("default", "after-power-off").isPresent());
    assertThat(ready()).isTrue();
  }

  @Test
  void aPodWatchWhoseConnectionHangsIsNoticedAndStartedAfresh() throws Exception {
    // Given: one master behind a relay, so the kubelet's watch surely goes through it
    startCluster(1);
    SilentRelay a = relayTo(cluster.servers().get(0).url());
    startNode(List.of(a.url()));

    // When: the connections open now hang, while the master answers new ones
    a.freezeOpenConnections();
    createPod("after-freeze");

    // Then: the kubelet's check finds the watch behind, starts it afresh, and sees the pod
    await().atMost(Kubelet.WATCH_CHECK_PERIOD.multipliedBy(3).plus(WAIT))
        .until(() -> node.kubelet().pod("default", "after-freeze").isPresent());
    await().atMost(WAIT).until(this::ready);
  }

  /** The node's pods outlive its services by design; the test's must not outlive the test. */
  private static void stopPods(ContainerRuntime runtime) {
    for (SandboxStatus sandbox : runtime.listPodSandboxes()) {
      runtime.listContainers(sandbox.id()).stream().filter(c -> c.running()).forEach(c -> runtime.stopContainer(c.id(), Duration.ZERO));
      runtime.stopPodSandbox(sandbox.id());
      runtime.removePodSandbox(sandbox.id());
    }
  }

  private void startCluster(int apiServers) {
    cluster = ClusterFixture.start(base.resolve("cluster"));
    for (int i = 1; i < apiServers; i++) {
      cluster.addApiServer();
    }
    cluster.startCsrSigner();
  }

  private SilentRelay relayTo(URI server) {
    SilentRelay relay = SilentRelay.to(server);
    relays.add(relay);
    return relay;
  }

  private void startNode(List<URI> apiServers) throws Exception {
    node = NodeServices.start(cluster.worker(NODE, base.resolve("worker"), apiServers, "process"));
    await().atMost(WAIT).until(this::ready);
  }

  private void createPod(String name) {
    cluster.admin().pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(0L)
        .addNewContainer().withName("main").withImage("slipway.dev/busybox:1").withCommand("sh", "-c", "exec sleep 1000").endContainer()
        .endSpec().build()).create();
  }

  private Instant renewTime() {
    Lease lease = cluster.admin().leases().inNamespace("kube-node-lease").withName(NODE).get();
    return lease == null ? Instant.EPOCH : NodeAgent.renewTime(lease);
  }

  private boolean ready() {
    Node found = cluster.admin().nodes().withName(NODE).get();
    return found != null && found.getStatus() != null && found.getStatus().getConditions() != null
        && found.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }
}
