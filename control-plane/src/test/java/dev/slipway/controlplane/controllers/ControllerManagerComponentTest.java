package dev.slipway.controlplane.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.controller.LeaderElection;
import dev.slipway.controlplane.testing.ApiCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller manager against a real etcd and the real API server. No kubelet runs, so the test
 * plays it: pods are marked Running and Ready through the status subresource.
 */
class ControllerManagerComponentTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ApiCluster cluster;
    private static KubernetesClient client;
    private static KubernetesClient managerClient;
    private static LeaderElectedService manager;
    /** Plays the kubelet's part every 200 ms, as a kubelet's resync loop would. */
    private static final ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() {
        cluster = ApiCluster.start();
        client = cluster.admin();
        managerClient = cluster.admin();
        manager = ControllerManager.start(managerClient, ControllerManager.Settings.of("master-1"), fastLease("master-1"));
        await().atMost(WAIT).until(manager::isLeading);
        kubelet.scheduleWithFixedDelay(ControllerManagerComponentTest::playKubelet, 0, 200, TimeUnit.MILLISECONDS);
    }

    static LeaderElection.Settings fastLease(String identity) {
        return new LeaderElection.Settings("kube-system", "slipway-controller-manager", identity, Duration.ofSeconds(4),
                Duration.ofSeconds(3), Duration.ofMillis(500));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        kubelet.shutdownNow();
        kubelet.awaitTermination(10, TimeUnit.SECONDS);
        manager.close();
        managerClient.close();
        client.close();
        cluster.close();
    }

    /**
     * Marks every pending pod of the "default" namespace Running and Ready, and removes (grace 0) every
     * terminating one, as a kubelet does once the containers stopped.
     */
    private static void playKubelet() {
        try {
            for (Pod pod : client.pods().inNamespace("default").list().getItems()) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    client.pods().resource(pod).withGracePeriod(0).delete();
                } else if (!PodState.isRunningAndReady(pod)
                        && !"stopped".equals(pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("kubelet"))) {
                    Pod running = new PodBuilder(pod).editOrNewStatus().withPhase("Running")
                            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                                    .withLastTransitionTime(Instant.now().toString()).build()).endStatus().build();
                    client.pods().resource(running).updateStatus();
                }
            }
        } catch (RuntimeException e) {
            // a conflict or a pod deleted meanwhile: the next round tries again
        }
    }

    private static Deployment deployment(String name, int replicas, String image) {
        Deployment deployment = TestObjects.deployment(name, replicas, "25%", "25%");
        deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().setImage(image);
        return deployment;
    }

    private static List<Pod> podsOf(String app) {
        return client.pods().inNamespace("default").withLabel("app", app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static boolean rolledOut(String name, int replicas) {
        Deployment deployment = client.apps().deployments().inNamespace("default").withName(name).get();
        var status = deployment.getStatus();
        return status != null && status.getObservedGeneration() != null
                && status.getObservedGeneration() >= deployment.getMetadata().getGeneration()
                && Integer.valueOf(replicas).equals(status.getUpdatedReplicas()) && Integer.valueOf(replicas).equals(status.getReplicas())
                && Integer.valueOf(replicas).equals(status.getAvailableReplicas());
    }

    private static String imageOf(Pod pod) {
        return pod.getSpec().getContainers().getFirst().getImage();
    }

    @Test
    void aDeploymentRollsOutScalesUpdatesAndUndoes() {
        client.apps().deployments().inNamespace("default").resource(deployment("web", 3, "nginx:1")).create();
        await().atMost(WAIT).until(() -> rolledOut("web", 3));
        assertThat(podsOf("web")).hasSize(3).allSatisfy(pod -> assertThat(pod.getMetadata().getOwnerReferences().getFirst().getKind())
                .isEqualTo("ReplicaSet"));

        client.apps().deployments().inNamespace("default").withName("web").scale(5);
        await().atMost(WAIT).until(() -> rolledOut("web", 5) && podsOf("web").size() == 5);

        client.apps().deployments().inNamespace("default").withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().getFirst().setImage("nginx:2");
            return d;
        });
        await().atMost(WAIT).until(() -> rolledOut("web", 5) && podsOf("web").stream().allMatch(pod -> imageOf(pod).equals("nginx:2"))
                && podsOf("web").size() == 5);
        List<ReplicaSet> sets = client.apps().replicaSets().inNamespace("default").withLabel("app", "web").list().getItems();
        assertThat(sets).hasSize(2).extracting(rs -> rs.getMetadata().getAnnotations().get(DeploymentReconciler.REVISION))
                .containsExactlyInAnyOrder("1", "2");

        // What `kubectl rollout undo` sends: the previous ReplicaSet's template, patched into the Deployment.
        client.apps().deployments().inNamespace("default").withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().getFirst().setImage("nginx:1");
            return d;
        });
        await().atMost(WAIT).until(() -> rolledOut("web", 5) && podsOf("web").stream().allMatch(pod -> imageOf(pod).equals("nginx:1"))
                && podsOf("web").size() == 5);
        assertThat(client.apps().replicaSets().inNamespace("default").withLabel("app", "web").list().getItems()).hasSize(2);
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getMetadata().getAnnotations())
                .containsEntry(DeploymentReconciler.REVISION, "3");
        assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anySatisfy(event -> assertThat(event.getReason()).isEqualTo("ScalingReplicaSet"));
    }

    @Test
    void aStatefulSetCreatesItsPodsInOrderWithClaims() {
        var set = new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(3).withServiceName("db").withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector()
                .withTemplate(TestObjects.template("db", "postgres:16"))
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources().endSpec().endVolumeClaimTemplate().endSpec().build();

        client.apps().statefulSets().inNamespace("default").resource(set).create();

        await().atMost(WAIT).until(() -> podsOf("db").size() == 3 && podsOf("db").stream().allMatch(PodState::isRunningAndReady));
        List<Pod> pods = podsOf("db").stream().sorted(java.util.Comparator.comparing(pod -> pod.getMetadata().getName())).toList();
        assertThat(pods).extracting(pod -> pod.getMetadata().getName()).containsExactly("db-0", "db-1", "db-2");
        for (int i = 1; i < pods.size(); i++) {
            Instant previousReady = PodState.readySince(pods.get(i - 1)).orElseThrow();
            assertThat(Instant.parse(pods.get(i).getMetadata().getCreationTimestamp()))
                    .as("db-%d created after db-%d was ready", i, i - 1).isAfterOrEqualTo(previousReady.minusSeconds(1));
        }
        assertThat(pods.get(1).getSpec().getHostname()).isEqualTo("db-1");
        assertThat(pods.get(1).getSpec().getSubdomain()).isEqualTo("db");
        assertThat(pods.get(1).getMetadata().getLabels()).containsEntry(StatefulSetReconciler.POD_NAME, "db-1");
        assertThat(client.persistentVolumeClaims().inNamespace("default").list().getItems()).extracting(c -> c.getMetadata().getName())
                .contains("data-db-0", "data-db-1", "data-db-2");
    }

    @Test
    void aDaemonSetFollowsNodesAsTheyComeAndGo() {
        client.nodes().resource(TestObjects.node("node-a", true, Map.of("role", "worker"))).create();
        client.nodes().resource(TestObjects.node("node-b", true, Map.of("role", "worker"))).create();
        var daemon = new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace("default").endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
                .withTemplate(TestObjects.template("agent", "busybox")).endSpec().build();
        daemon.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("role", "worker"));
        client.apps().daemonSets().inNamespace("default").resource(daemon).create();
        await().atMost(WAIT).until(() -> podsOf("agent").stream().map(pod -> pod.getSpec().getNodeName()).sorted().toList()
                .equals(List.of("node-a", "node-b")));

        client.nodes().resource(TestObjects.node("node-c", true, Map.of("role", "worker"))).create();
        client.nodes().withName("node-a").delete();

        // Terminating pods included: node-a's pod is deleted gracefully and gone once the kubelet removes it.
        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").withLabel("app", "agent").list().getItems().stream()
                .map(pod -> pod.getSpec().getNodeName()).sorted().toList().equals(List.of("node-b", "node-c")));
    }

    @Test
    void theGarbageCollectorDeletesPodsWhoseOwnerIsGone() {
        var owner = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("owner")
                .endMetadata().build()).create();
        Pod orphan = new PodBuilder().withNewMetadata().withName("orphaned").withNamespace("default").addToLabels("kubelet", "stopped")
                .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner").withUid(owner.getMetadata().getUid())
                .endOwnerReference().endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
        client.pods().inNamespace("default").resource(orphan).create();

        client.configMaps().inNamespace("default").withName("owner").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        await().atMost(WAIT).until(() -> client.configMaps().inNamespace("default").withName("owner").get() == null);
        Pod kept = client.pods().inNamespace("default").withName("orphaned").get();
        assertThat(kept.getMetadata().getOwnerReferences()).as("orphan deletion removes the owner reference").isNullOrEmpty();

        var second = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("owner2")
                .endMetadata().build()).create();
        client.pods().inNamespace("default").withName("orphaned").edit(pod -> new PodBuilder(pod).editMetadata().addNewOwnerReference()
                .withApiVersion("v1").withKind("ConfigMap").withName("owner2").withUid(second.getMetadata().getUid()).endOwnerReference()
                .endMetadata().build());
        client.configMaps().inNamespace("default").withName("owner2").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").withName("orphaned").get() == null);
    }

    @Test
    void foregroundDeletionRemovesTheReplicaSetsPodsBeforeTheReplicaSet() {
        client.apps().deployments().inNamespace("default").resource(deployment("fg", 2, "nginx:1")).create();
        await().atMost(WAIT).until(() -> rolledOut("fg", 2));

        client.apps().deployments().inNamespace("default").withName("fg").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await().atMost(WAIT).until(() -> client.apps().deployments().inNamespace("default").withName("fg").get() == null
                && client.apps().replicaSets().inNamespace("default").withLabel("app", "fg").list().getItems().isEmpty()
                && podsOf("fg").isEmpty());
    }

    @Test
    void aSecondManagerTakesOverWhenTheLeaderStops() {
        try (KubernetesClient secondClient = cluster.admin(); KubernetesClient thirdClient = cluster.admin()) {
            LeaderElectedService second = ControllerManager.start(secondClient, ControllerManager.Settings.of("master-2"), fastLease("master-2"));
            LeaderElectedService third = ControllerManager.start(thirdClient, ControllerManager.Settings.of("master-3"), fastLease("master-3"));
            try {
                await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> manager.isLeading());
                assertThat(second.isLeading() || third.isLeading()).as("only one manager leads").isFalse();

                second.close();
                assertThat(third.isLeading()).isFalse();
            } finally {
                third.close();
                second.close();
            }
        }
    }
}
