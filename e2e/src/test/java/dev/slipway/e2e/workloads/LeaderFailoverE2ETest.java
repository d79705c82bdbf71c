package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.Testbed;
import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The master holding the scheduler's Lease powered off: another master takes the scheduler and
 * controller-manager Leases over within 30 s, and new pods are scheduled and run. Disruptive: runs
 * last, and powers the master back on.
 */
@Order(70)
class LeaderFailoverE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String SCHEDULER_LEASE = "kube-scheduler";
  private static final String MANAGER_LEASE = "slipway-controller-manager";
  /** From power-on to every Node Ready, as {@code MasterDownE2ETest} holds it. */
  private static final Duration RECOVERY = Duration.ofMinutes(2);
  private String leader;
  private Kubectl survivor;
  private String namespace;
  private boolean poweredOff;

  @BeforeEach
  void healthyCluster() {
    cluster.awaitHealthy(RECOVERY, "the cluster before the leader is powered off");
  }

  @AfterEach
  void leaderBackAndReady() {
    if (!poweredOff) {
      return;
    }
    cluster.powerOn(leader);
    if (namespace != null) {
      cluster.deleteNamespace(namespace);
    }
    cluster.awaitHealthy(RECOVERY, leader + " (the scheduler's leader) powered on again");
  }

  @Test
  void anotherMasterTakesTheLeasesOverAndSchedulesNewPods() {
    // Given
    leader = holder(cluster.kubectl(), SCHEDULER_LEASE);
    String managerLeader = holder(cluster.kubectl(), MANAGER_LEASE);
    assertThat(ClusterUnderTest.MASTERS).as("the scheduler Lease's holder").contains(leader);
    String other = ClusterUnderTest.MASTERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
    survivor = cluster.kubectl().against(cluster.apiServer(other));

    // When
    poweredOff = true;
    cluster.testbed().power(leader, Testbed.Power.OFF);

    // Then: both Leases held by a master that is on, within 30 s
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(holder(survivor, SCHEDULER_LEASE)).as("scheduler Lease holder").isNotEqualTo(leader).isIn(ClusterUnderTest.MASTERS);
      assertThat(holder(survivor, MANAGER_LEASE)).as("controller-manager Lease holder (was %s)", managerLeader)
          .isNotEqualTo(leader).isIn(ClusterUnderTest.MASTERS);
    });

    // Then: a new Deployment's pods are made, scheduled and run
    namespace = "e2e-failover-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    ClusterUnderTest.apply(survivor, "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + namespace + "}\n");
    Workloads.apply(survivor, "one-pod.yaml", namespace);
    PodTable.Row pod = Workloads.awaitReady(survivor, namespace, "app=solo", 1).only();
    assertThat(pod.node()).isIn(ClusterUnderTest.WORKERS);
  }

  private static String holder(Kubectl kubectl, String lease) {
    return kubectl.ok("get", "lease", lease, "-n", "kube-system", "-o", "jsonpath={.spec.holderIdentity}").strip();
  }
}
