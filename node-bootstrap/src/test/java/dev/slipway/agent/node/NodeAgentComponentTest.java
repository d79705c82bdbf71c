package dev.slipway.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.kubelet.ClusterFixture;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent's heartbeat against a real API server on etcd, with a clock the test moves. */
class NodeAgentComponentTest {

  @TempDir static Path base;
  private static ClusterFixture cluster;
  private static KubernetesClient admin;

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final AtomicBoolean ready = new AtomicBoolean(true);

  @BeforeAll
  static void startCluster() {
    cluster = ClusterFixture.start(base.resolve("cluster"));
    admin = cluster.admin();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void statusIsWrittenOnlyWhenItSaysSomethingNewOrItsLastReportGrewOld() {
    NodeAgent agent = agentFor("quiet-node");
    agent.register();
    String registered = node("quiet-node").getMetadata().getResourceVersion();

    clock.advance(NodeAgent.PERIOD);
    agent.reportStatus();
    assertThat(node("quiet-node").getMetadata().getResourceVersion()).as("nothing new: no write").isEqualTo(registered);

    ready.set(false);
    agent.reportStatus();
    Node notReady = node("quiet-node");
    assertThat(readyStatus(notReady)).isEqualTo("False");

    clock.advance(NodeAgent.STATUS_REPORT_PERIOD.plusSeconds(1));
    agent.reportStatus();
    Node reportedAgain = node("quiet-node");
    assertThat(reportedAgain.getMetadata().getResourceVersion()).as("an old report is renewed")
        .isNotEqualTo(notReady.getMetadata().getResourceVersion());
    assertThat(readyStatus(reportedAgain)).isEqualTo("False");
  }

  @Test
  void aStatusSomeoneElseWroteIsCorrectedByTheNextReportThatWrites() {
    NodeAgent agent = agentFor("overruled-node");
    agent.register();
    Node overruled = node("overruled-node");
    overruled.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).forEach(c -> c.setStatus("Unknown"));
    admin.nodes().resource(overruled).updateStatus();

    clock.advance(NodeAgent.PERIOD);
    agent.reportStatus();
    assertThat(readyStatus(node("overruled-node"))).as("nothing new to this agent: no request").isEqualTo("Unknown");

    clock.advance(NodeAgent.STATUS_REPORT_PERIOD);
    agent.reportStatus();
    assertThat(readyStatus(node("overruled-node"))).isEqualTo("True");

    admin.nodes().withName("overruled-node").delete();
    ready.set(false);
    agent.reportStatus();
    assertThat(node("overruled-node")).as("registered again once its status write finds it gone").isNotNull();
  }

  @Test
  void leaseRenewalsCarryOnWhenSomeoneElseChangedOrDeletedTheLease() {
    NodeAgent agent = agentFor("leased-node");
    agent.register();
    agent.renewLease();

    clock.advance(NodeAgent.PERIOD);
    Lease foreign = lease("leased-node");
    foreign.getMetadata().setLabels(Map.of("touched", "yes"));
    admin.leases().inNamespace(NodeAgent.LEASE_NAMESPACE).resource(foreign).update();
    agent.renewLease();
    assertThat(NodeAgent.renewTime(lease("leased-node"))).isEqualTo(clock.instant());
    assertThat(lease("leased-node").getMetadata().getLabels()).containsEntry("touched", "yes");

    clock.advance(NodeAgent.PERIOD);
    admin.leases().inNamespace(NodeAgent.LEASE_NAMESPACE).withName("leased-node").delete();
    agent.renewLease();
    assertThat(NodeAgent.renewTime(lease("leased-node"))).isEqualTo(clock.instant());
    assertThat(lease("leased-node").getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("leased-node"));
  }

  @Test
  void aNodeRegistersWithItsPodRange() {
    agentFor("ranged-node", "10.244.7.0/24").register();

    assertThat(node("ranged-node").getSpec().getPodCIDR()).isEqualTo("10.244.7.0/24");
    assertThat(node("ranged-node").getSpec().getPodCIDRs()).containsExactly("10.244.7.0/24");
  }

  @Test
  void aRegisteredNodeWithoutAPodRangeGetsItAndOneWithARangeKeepsIt() {
    agentFor("rangeless-node", "").register();
    assertThat(node("rangeless-node").getSpec().getPodCIDR()).isNull();

    agentFor("rangeless-node", "10.244.8.0/24").register();
    assertThat(node("rangeless-node").getSpec().getPodCIDR()).as("a Node without a range gets this host's").isEqualTo("10.244.8.0/24");

    agentFor("rangeless-node", "10.244.9.0/24").register();
    assertThat(node("rangeless-node").getSpec().getPodCIDRs()).as("a range once set stays").containsExactly("10.244.8.0/24");
  }

  private NodeAgent agentFor(String name) {
    return agentFor(name, "");
  }

  private NodeAgent agentFor(String name, String podCidr) {
    MachineFacts machine = new MachineFacts(2, 4L << 30, 20L << 30, "amd64", "linux", "test", "6.1", "machine-" + name, "boot-" + name);
    NodeDescription description = new NodeDescription(new HostIdentity(name, "10.9.0.1", List.of(NodeRole.WORKER)),
        Map.of(), List.of(), podCidr, machine, "test-runtime", 10250);
    return new NodeAgent(admin, description, ready::get, clock);
  }

  private static Node node(String name) {
    return admin.nodes().withName(name).get();
  }

  private static Lease lease(String name) {
    return admin.leases().inNamespace(NodeAgent.LEASE_NAMESPACE).withName(name).get();
  }

  private static String readyStatus(Node node) {
    return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow().getStatus();
  }

  /** A clock that stands still until the test moves it. */
  private static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
