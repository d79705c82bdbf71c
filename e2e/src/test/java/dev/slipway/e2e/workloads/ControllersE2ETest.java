package dev.slipway.e2e.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.api.ClusterUnderTest;
import dev.slipway.e2e.api.Kubectl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A DaemonSet covers the workers; a StatefulSet starts and stops its ordinals in order. */
@Order(23)
class ControllersE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private final Kubectl kubectl = cluster.kubectl();
  private String namespace;

  @BeforeEach
  void workersReadyAndANamespace() {
    Workloads.requireReadyWorkers(cluster);
    namespace = cluster.newNamespace("ctrl");
  }

  @AfterEach
  void deleteNamespace() {
    cluster.deleteNamespace(namespace);
  }

  @Test
  void aDaemonSetRunsOnePodPerWorker() {
    // When
    Workloads.apply(kubectl, "daemonset.yaml", namespace);

    // Then: the masters' taint keeps it off them
    PodTable pods = Workloads.awaitReady(kubectl, namespace, "app=agent", 2);
    assertThat(pods.live()).extracting(PodTable.Row::node).containsExactlyInAnyOrder("worker-1", "worker-2");
    assertThat(kubectl.ok("get", "daemonset", "agent", "-n", namespace, "-o",
        "jsonpath={.status.desiredNumberScheduled}/{.status.numberReady}")).isEqualTo("2/2");
  }

  @Test
  void aStatefulSetStartsItsOrdinalsInOrderAndScalesDownFromTheTop() {
    try (PodEvents events = PodEvents.watch(kubectl, namespace, "app=ordered")) {
      // When
      Workloads.apply(kubectl, "statefulset.yaml", namespace);

      // Then: web-1 appears only once web-0 is Ready, web-2 only once web-1 is
      Workloads.awaitReady(kubectl, namespace, "app=ordered", 3);
      List<String> order = firstSeen(events);
      assertThat(order).as("%s", events).containsExactly("web-0", "web-1", "web-2");
      for (int n = 1; n < 3; n++) {
        String previous = "web-" + (n - 1);
        String next = "web-" + n;
        int created = indexOfFirst(events, next);
        assertThat(events.events().subList(0, created)).as("%s Ready before %s was created:\n%s", previous, next, events)
            .anySatisfy(seen -> {
              assertThat(seen.name()).isEqualTo(previous);
              assertThat(seen.ready()).isTrue();
            });
      }

      // When
      int before = events.events().size();
      kubectl.ok("scale", "statefulset", "web", "-n", namespace, "--replicas=2");

      // Then: web-2 goes, and only web-2
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(events.after(before)).as("%s", events)
          .anySatisfy(seen -> assertThat(seen.type() + " " + seen.name()).isEqualTo("DELETED web-2")));
      assertThat(events.after(before))
          .filteredOn(seen -> seen.terminating() || seen.type().equals("DELETED"))
          .extracting(PodEvents.Seen::name).containsOnly("web-2");
      assertThat(PodTable.of(kubectl, namespace, "app=ordered").live()).extracting(PodTable.Row::name)
          .containsExactlyInAnyOrder("web-0", "web-1");
    }
  }

  private static List<String> firstSeen(PodEvents events) {
    List<String> names = new ArrayList<>();
    events.events().forEach(seen -> {
      if (!names.contains(seen.name())) {
        names.add(seen.name());
      }
    });
    return names;
  }

  private static int indexOfFirst(PodEvents events, String name) {
    List<PodEvents.Seen> all = events.events();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name + " never seen: " + events);
  }
}
