package dev.slipway.controlplane.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaSetReconcilerTest {

    private static final ObjectRef WEB = new ObjectRef("default", "web");

    private final FakeCluster cluster = new FakeCluster();
    private final ReplicaSetReconciler reconciler = new ReplicaSetReconciler(cluster.lister(ReplicaSet.class), cluster.lister(Pod.class),
            cluster, cluster, cluster.clock);

    @Test
    void createsTheMissingPodsOwnedByTheReplicaSet() {
        ReplicaSet web = cluster.seed(TestObjects.replicaSet("web", 3));

        reconciler.reconcile(WEB);

        List<Pod> pods = cluster.all(Pod.class);
        assertThat(pods).hasSize(3).allSatisfy(pod -> {
            assertThat(pod.getMetadata().getName()).startsWith("web-");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web");
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
                assertThat(owner.getUid()).isEqualTo(web.getMetadata().getUid());
                assertThat(owner.getController()).isTrue();
            });
        });
        assertThat(cluster.events()).filteredOn(event -> event.startsWith("SuccessfulCreate")).hasSize(3);
    }

    @Test
    void doesNotCreateAgainWhileItsCacheHasNotSeenTheNewPods() {
        cluster.seed(TestObjects.replicaSet("web", 2));
        cluster.lagCache();

        reconciler.reconcile(WEB);
        reconciler.reconcile(WEB);

        assertThat(cluster.actions()).filteredOn(action -> action.startsWith("create Pod")).hasSize(2);
    }

    @Test
    void createsAgainOnceTheCacheShowsAPodWasLost() {
        cluster.seed(TestObjects.replicaSet("web", 2));
        reconciler.reconcile(WEB);
        Pod lost = cluster.all(Pod.class).getFirst();
        cluster.delete(lost, ObjectWriter.Deletion.BACKGROUND);
        cluster.clearActions();

        reconciler.reconcile(WEB);

        assertThat(cluster.actions()).filteredOn(action -> action.startsWith("create Pod")).hasSize(1);
        assertThat(cluster.all(Pod.class)).hasSize(2);
    }

    @Test
    void scalingDownDeletesUnscheduledAndNotReadyPodsFirst() {
        cluster.seed(TestObjects.replicaSet("web", 3));
        reconciler.reconcile(WEB);
        List<Pod> pods = cluster.all(Pod.class);
        cluster.change(new PodBuilder(TestObjects.withPhase(pods.get(0), true)).editSpec().withNodeName("n1").endSpec().build());
        cluster.change(new PodBuilder(TestObjects.withPhase(pods.get(1), false)).editSpec().withNodeName("n1").endSpec().build());
        ReplicaSet web = cluster.get(ReplicaSet.class, "web");
        web.getSpec().setReplicas(1);
        cluster.change(web);
        cluster.clearActions();

        reconciler.reconcile(WEB);

        assertThat(cluster.all(Pod.class)).extracting(pod -> pod.getMetadata().getName()).containsExactly(pods.get(0).getMetadata().getName());
    }

    @Test
    void statusCountsActiveReadyAndAvailablePods() {
        cluster.seed(TestObjects.replicaSet("web", 2));
        reconciler.reconcile(WEB);
        List<Pod> pods = cluster.all(Pod.class);
        cluster.change(TestObjects.withPhase(pods.get(0), true));

        reconciler.reconcile(WEB);

        var status = cluster.get(ReplicaSet.class, "web").getStatus();
        assertThat(status.getReplicas()).isEqualTo(2);
        assertThat(status.getFullyLabeledReplicas()).isEqualTo(2);
        assertThat(status.getReadyReplicas()).isEqualTo(1);
        assertThat(status.getAvailableReplicas()).isEqualTo(1);
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void aMissingReplicaSetIsDoneWithoutAnyChange() {
        var result = reconciler.reconcile(WEB);

        assertThat(result).isEqualTo(dev.slipway.controlplane.controller.Result.DONE);
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void podsOfAnotherOwnerAreNotCounted() {
        cluster.seed(TestObjects.replicaSet("web", 1));
        cluster.seed(new PodBuilder().withNewMetadata().withName("stranger").withNamespace("default").addToLabels("app", "web")
                .endMetadata().withNewSpec().endSpec().build());

        reconciler.reconcile(WEB);

        assertThat(cluster.all(Pod.class)).hasSize(2);
    }
}
