package dev.slipway.controlplane.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.controller.LeaderElection;
import dev.slipway.controlplane.testing.ApiCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scheduler against a real etcd and the real API server, running as {@code system:kube-scheduler}. */
class SchedulerComponentTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SCHEDULER_USER = "system:kube-scheduler";
    private static final AtomicInteger leases = new AtomicInteger();

    private static ApiCluster cluster;
    private static KubernetesClient admin;
    private static KubernetesClient schedulerClient;

    @BeforeAll
    static void start() {
        cluster = ApiCluster.start();
        admin = cluster.admin();
        schedulerClient = cluster.client(SCHEDULER_USER, List.of());
    }

    @AfterAll
    static void stop() {
        schedulerClient.close();
        admin.close();
        cluster.close();
    }

    @AfterEach
    void clean() {
        admin.pods().inNamespace("default").withGracePeriod(0).delete();
        admin.nodes().delete();
        await().atMost(WAIT).until(() -> admin.pods().inNamespace("default").list().getItems().isEmpty()
                && admin.nodes().list().getItems().isEmpty());
    }

    /** Each test contends for its own lease, so one test's leader does not outlive it into the next. */
    private static LeaderElectedService scheduler(String identity) {
        String lease = "kube-scheduler-" + leases.incrementAndGet();
        return SchedulerService.start(schedulerClient, new SchedulerService.Settings(identity, "kube-system", lease, 2),
                new LeaderElection.Settings("kube-system", lease, identity, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofSeconds(1)));
    }

    private static void addNode(Node node) {
        Node created = admin.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder(node).withStatus(null).build()).create();
        created.setStatus(node.getStatus());
        admin.nodes().resource(created).updateStatus();
    }

    private static Pod addPod(Pod pod) {
        return admin.pods().inNamespace("default").resource(pod).create();
    }

    private static String nodeOf(String pod) {
        Pod current = admin.pods().inNamespace("default").withName(pod).get();
        return current == null || current.getSpec().getNodeName() == null ? "" : current.getSpec().getNodeName();
    }

    private static Optional<PodCondition> scheduledCondition(String pod) {
        Pod current = admin.pods().inNamespace("default").withName(pod).get();
        if (current == null || current.getStatus() == null || current.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return current.getStatus().getConditions().stream().filter(condition -> "PodScheduled".equals(condition.getType())).findFirst();
    }

    @Test
    void podsAreBoundToNodesTheyFit() {
        addNode(ClusterObjects.node("small", "1", "2Gi").build());
        addNode(ClusterObjects.node("large", "8", "16Gi").build());
        addNode(ClusterObjects.taint(ClusterObjects.node("master", "16", "32Gi"), "node-role.kubernetes.io/control-plane", "", "NoSchedule")
                .build());

        try (LeaderElectedService ignored = scheduler("scheduler-a")) {
            addPod(ClusterObjects.pod("needs-large", "4", "4Gi").build());
            addPod(ClusterObjects.pod("anywhere", "100m", "64Mi").build());

            await().atMost(WAIT).until(() -> !nodeOf("needs-large").isEmpty() && !nodeOf("anywhere").isEmpty());
        }
        assertThat(nodeOf("needs-large")).isEqualTo("large");
        assertThat(nodeOf("anywhere")).isIn("small", "large");
        assertThat(scheduledCondition("needs-large")).map(PodCondition::getStatus).contains("True");
    }

    @Test
    void anUnschedulablePodIsToldWhyAndScheduledOnceANodeIsAdded() {
        addNode(ClusterObjects.node("small", "1", "2Gi").build());

        try (LeaderElectedService ignored = scheduler("scheduler-a")) {
            addPod(ClusterObjects.pod("big", "4", "1Gi").build());

            await().atMost(WAIT).until(() -> scheduledCondition("big").map(PodCondition::getReason).orElse("").equals("Unschedulable"));
            assertThat(scheduledCondition("big")).map(PodCondition::getMessage)
                    .contains("0/1 nodes are available: 1 Insufficient cpu.");
            await().atMost(WAIT).until(() -> admin.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(event -> isAbout(event, "big", "FailedScheduling")));

            addNode(ClusterObjects.node("large", "8", "16Gi").build());

            await().atMost(WAIT).until(() -> nodeOf("big").equals("large"));
        }
        assertThat(scheduledCondition("big")).map(PodCondition::getStatus).contains("True");
    }

    private static boolean isAbout(Event event, String pod, String reason) {
        return reason.equals(event.getReason()) && pod.equals(event.getInvolvedObject().getName())
                && "Warning".equals(event.getType()) && event.getMessage().contains("Insufficient cpu");
    }

    @Test
    void onlyTheLeaderSchedulesAndAnotherTakesOverWhenItStops() {
        addNode(ClusterObjects.node("worker", "8", "16Gi").build());
        String lease = "kube-scheduler-" + leases.incrementAndGet();
        LeaderElection.Settings timings = new LeaderElection.Settings("kube-system", lease, "x", Duration.ofSeconds(6), Duration.ofSeconds(4),
                Duration.ofSeconds(1));
        LeaderElectedService first = SchedulerService.start(schedulerClient, new SchedulerService.Settings("first", "kube-system", lease, 2),
                new LeaderElection.Settings("kube-system", lease, "first", timings.leaseDuration(), timings.renewDeadline(), timings.retryPeriod()));
        LeaderElectedService second = SchedulerService.start(schedulerClient, new SchedulerService.Settings("second", "kube-system", lease, 2),
                new LeaderElection.Settings("kube-system", lease, "second", timings.leaseDuration(), timings.renewDeadline(), timings.retryPeriod()));
        try {
            await().atMost(WAIT).until(() -> first.isLeading() || second.isLeading());
            LeaderElectedService leader = first.isLeading() ? first : second;
            LeaderElectedService standby = leader == first ? second : first;
            assertThat(standby.isLeading()).isFalse();
            addPod(ClusterObjects.pod("before", "100m", "64Mi").build());
            await().atMost(WAIT).until(() -> !nodeOf("before").isEmpty());

            leader.close();

            await().atMost(WAIT).until(standby::isLeading);
            addPod(ClusterObjects.pod("after", "100m", "64Mi").build());
            await().atMost(WAIT).until(() -> nodeOf("after").equals("worker"));
            assertThat(admin.leases().inNamespace("kube-system").withName(lease).get().getSpec().getHolderIdentity())
                    .isEqualTo(standby == first ? "first" : "second");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aBindingRetriedAfterItsFirstAttemptWentThroughSucceeds() {
        admin.nodes().resource(ClusterObjects.readyNode("worker")).create();
        Pod pod = admin.pods().inNamespace("default").resource(ClusterObjects.pod("retried")).create();
        Fabric8Binder binder = new Fabric8Binder(schedulerClient, java.time.Clock.systemUTC());
        binder.bind(pod, "worker");

        binder.bind(pod, "worker");

        assertThat(nodeOf("retried")).isEqualTo("worker");
    }

    @Test
    void aBindingToAnotherNodeThanThePodsIsRefused() {
        admin.nodes().resource(ClusterObjects.readyNode("worker")).create();
        admin.nodes().resource(ClusterObjects.readyNode("other")).create();
        Pod pod = admin.pods().inNamespace("default").resource(ClusterObjects.pod("taken")).create();
        Fabric8Binder binder = new Fabric8Binder(schedulerClient, java.time.Clock.systemUTC());
        binder.bind(pod, "other");

        assertThatThrownBy(() -> binder.bind(pod, "worker")).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("already assigned to node \"other\"");
    }
}
