package dev.slipway.controlplane.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.controller.Controller;
import dev.slipway.controlplane.testing.ApiCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node lifecycle controller against a real etcd and API server, with a test standing in for the kubelet's heartbeat. */
class NodeLifecycleComponentTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final NodeLifecycleController.Settings SHORT = new NodeLifecycleController.Settings(Duration.ofSeconds(3), Duration.ofSeconds(4));

    private ApiCluster cluster;
    private KubernetesClient admin;
    private KubernetesClient controllerClient;
    private final AtomicBoolean heartbeat = new AtomicBoolean(true);
    private final ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> running = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = ApiCluster.start();
        admin = cluster.admin();
        controllerClient = cluster.client("system:kube-controller-manager", List.of());
        Node node = admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("w1").endMetadata().withNewSpec().endSpec().build()).create();
        node.setStatus(new NodeBuilder().withNewStatus().addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .endCondition().endStatus().build().getStatus());
        admin.nodes().resource(node).updateStatus();
        admin.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder().withNewMetadata().withName("w1").endMetadata()
                .withNewSpec().withHolderIdentity("w1").withLeaseDurationSeconds(40).withRenewTime(ZonedDateTime.now()).endSpec().build()).create();
        kubelet.scheduleWithFixedDelay(this::renew, 0, 500, TimeUnit.MILLISECONDS);

        var nodes = controllerClient.nodes().runnableInformer(0);
        var leases = NodeLifecycleController.leaseInformer(controllerClient);
        var pods = controllerClient.pods().inAnyNamespace().runnableInformer(0);
        Controller controller = NodeLifecycleController.create(controllerClient, nodes, leases, pods, SHORT, Clock.systemUTC());
        CompletableFuture.allOf(nodes.start().toCompletableFuture(), leases.start().toCompletableFuture(), pods.start().toCompletableFuture())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        controller.start();
        running.addAll(List.<AutoCloseable>of(controller, nodes::close, leases::close, pods::close));
    }

    private void renew() {
        if (heartbeat.get()) {
            admin.leases().inNamespace("kube-node-lease").withName("w1")
                    .edit(lease -> new LeaseBuilder(lease).editSpec().withRenewTime(ZonedDateTime.now()).endSpec().build());
        }
    }

    @AfterEach
    void stop() throws Exception {
        kubelet.shutdownNow();
        for (AutoCloseable part : running) {
            part.close();
        }
        controllerClient.close();
        admin.close();
        cluster.close();
    }

    private Node node() {
        return admin.nodes().withName("w1").get();
    }

    private boolean tainted() {
        return NodeLifecycleReconciler.unreachableTaint(node()).isPresent();
    }

    private String ready() {
        return node().getStatus().getConditions().stream().filter(condition -> "Ready".equals(condition.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse("");
    }

    private Pod podOn(String name, TolerationBuilder... tolerations) {
        return admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNodeName("w1").addNewContainer().withName("main").withImage("busybox").endContainer()
                .withTolerations(java.util.Arrays.stream(tolerations).map(TolerationBuilder::build).toList()).endSpec().build()).create();
    }

    private boolean beingDeleted(String pod) {
        Pod current = admin.pods().inNamespace("default").withName(pod).get();
        return current == null || current.getMetadata().getDeletionTimestamp() != null;
    }

    @Test
    void aNodeThatKeepsRenewingStaysReadyAndUntainted() {
        podOn("web");

        await().during(Duration.ofSeconds(6)).atMost(WAIT).until(() -> !tainted() && ready().equals("True") && !beingDeleted("web"));
    }

    @Test
    void aSilentNodeTurnsUnknownIsTaintedAndLosesItsPodsAfterTheTimeout() {
        podOn("web");
        podOn("tolerant", new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists").withEffect("NoExecute"));

        heartbeat.set(false);

        await().atMost(WAIT).until(() -> ready().equals("Unknown") && tainted());
        assertThat(node().getStatus().getConditions()).filteredOn(condition -> "Ready".equals(condition.getType()))
                .extracting(NodeCondition::getReason).containsExactly("NodeStatusUnknown");
        assertThat(beingDeleted("web")).as("evicted only after the eviction timeout").isFalse();
        await().atMost(WAIT).until(() -> beingDeleted("web"));
        assertThat(beingDeleted("tolerant")).isFalse();
        // The controller records the eviction's Event after the delete, so it may land a moment later.
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("default").list().getItems())
                .anyMatch(event -> "TaintManagerEviction".equals(event.getReason()) && "web".equals(event.getInvolvedObject().getName())));
    }

    @Test
    void theTaintGoesWhenTheHeartbeatComesBack() {
        heartbeat.set(false);
        await().atMost(WAIT).until(this::tainted);

        heartbeat.set(true);

        await().atMost(WAIT).until(() -> !tainted());
    }
}
