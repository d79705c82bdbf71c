package dev.slipway.controlplane.scheduler;

import static dev.slipway.controlplane.scheduler.ClusterObjects.node;
import static dev.slipway.controlplane.scheduler.ClusterObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PodSchedulerTest {

    /** Pods by key, as an informer's cache would hold them. */
    private final Map<ObjectRef, Pod> pods = new HashMap<>();
    private final Lister<Pod> lister = new Lister<>() {
        @Override
        public Optional<Pod> get(ObjectRef ref) {
            return Optional.ofNullable(pods.get(ref));
        }

        @Override
        public List<Pod> list(String namespace) {
            return List.copyOf(pods.values());
        }
    };
    private final RecordingBinder binder = new RecordingBinder();
    private final SchedulerCache cache = new SchedulerCache();
    private final PodScheduler scheduler = new PodScheduler(lister, cache, binder, new SplittableRandom(1));

    static final class RecordingBinder implements Binder {
        final List<String> bindings = new ArrayList<>();
        final List<String> unschedulable = new ArrayList<>();
        RuntimeException failure;

        @Override
        public void bind(Pod pod, String node) {
            if (failure != null) {
                throw failure;
            }
            bindings.add(pod.getMetadata().getName() + "->" + node);
        }

        @Override
        public void markUnschedulable(Pod pod, String message) {
            unschedulable.add(pod.getMetadata().getName() + ": " + message);
        }
    }

    private ObjectRef add(Pod pod) {
        pods.put(ObjectRef.of(pod), pod);
        return ObjectRef.of(pod);
    }

    @Test
    void aPendingPodIsBoundToAFittingNode() throws Exception {
        cache.putNode(node("small", "1", "1Gi").build());
        cache.putNode(node("large", "8", "16Gi").build());
        ObjectRef key = add(pod("web", "2", "1Gi").build());

        Result result = scheduler.reconcile(key);

        assertThat(result).isEqualTo(Result.DONE);
        assertThat(binder.bindings).containsExactly("web->large");
    }

    @Test
    void theNextDecisionSeesTheAssumedPod() throws Exception {
        cache.putNode(node("n1", "1", "4Gi").build());
        cache.putNode(node("n2", "1", "4Gi").build());

        scheduler.reconcile(add(pod("a", "1", "").build()));
        scheduler.reconcile(add(pod("b", "1", "").build()));

        assertThat(binder.bindings).containsExactlyInAnyOrder("a->n1", "b->n2");
    }

    @Test
    void aPodNoNodeFitsIsMarkedUnschedulableAndRetriedLater() throws Exception {
        cache.putNode(node("n1", "1", "4Gi").build());
        ObjectRef key = add(pod("big", "4", "").build());

        Result result = scheduler.reconcile(key);

        assertThat(result).isEqualTo(Result.requeueAfter(PodScheduler.RETRY.delay(1)));
        assertThat(binder.unschedulable).containsExactly("big: 0/1 nodes are available: 1 Insufficient cpu.");
        assertThat(scheduler.unschedulable()).containsExactly(key);
    }

    @Test
    void retriesBackOff() throws Exception {
        ObjectRef key = add(pod("big", "4", "").build());

        scheduler.reconcile(key);
        Result second = scheduler.reconcile(key);

        assertThat(second).isEqualTo(Result.requeueAfter(PodScheduler.RETRY.delay(2)));
    }

    @Test
    void anUnschedulablePodIsBoundOnceANodeFits() throws Exception {
        ObjectRef key = add(pod("big", "4", "").build());
        scheduler.reconcile(key);

        cache.putNode(node("large", "8", "16Gi").build());
        scheduler.reconcile(key);

        assertThat(binder.bindings).containsExactly("big->large");
        assertThat(scheduler.unschedulable()).isEmpty();
    }

    @Test
    void aFailedBindingIsUndoneAndRaisedForBackOff() {
        cache.putNode(node("n1", "1", "4Gi").build());
        ObjectRef key = add(pod("a", "1", "").build());
        binder.failure = new IllegalStateException("conflict");

        assertThatThrownBy(() -> scheduler.reconcile(key)).hasMessage("conflict");

        assertThat(cache.isPlaced("uid-a")).isFalse();
        assertThat(cache.node("n1").orElseThrow().requested().milliCpu()).isZero();
    }

    @Test
    void aPodAlreadyBeingBoundIsNotScheduledTwice() throws Exception {
        cache.putNode(node("n1", "4", "4Gi").build());
        ObjectRef key = add(pod("a"));
        scheduler.reconcile(key);

        scheduler.reconcile(key);

        assertThat(binder.bindings).containsExactly("a->n1");
    }

    @Test
    void podsThatAreNotPendingAreLeftAlone() throws Exception {
        cache.putNode(node("n1", "4", "4Gi").build());
        List<ObjectRef> keys = List.of(
                add(new PodBuilder(pod("bound")).editSpec().withNodeName("n1").endSpec().build()),
                add(new PodBuilder(pod("other")).editSpec().withSchedulerName("someone-else").endSpec().build()),
                add(new PodBuilder(pod("deleting")).editMetadata().withDeletionTimestamp("2025-01-01T00:00:00Z").endMetadata().build()),
                add(new PodBuilder(pod("failed")).withNewStatus().withPhase("Failed").endStatus().build()),
                new ObjectRef("default", "missing"));

        for (ObjectRef key : keys) {
            assertThat(scheduler.reconcile(key)).isEqualTo(Result.DONE);
        }
        assertThat(binder.bindings).isEmpty();
        assertThat(binder.unschedulable).isEmpty();
    }

    @Test
    void theSlipwayAndDefaultSchedulerNamesAreServed() throws Exception {
        cache.putNode(node("n1", "4", "4Gi").build());

        scheduler.reconcile(add(new PodBuilder(pod("a")).editSpec().withSchedulerName("slipway").endSpec().build()));
        scheduler.reconcile(add(new PodBuilder(pod("b")).editSpec().withSchedulerName("default-scheduler").endSpec().build()));

        assertThat(binder.bindings).containsExactlyInAnyOrder("a->n1", "b->n1");
    }

    @Test
    void inALargeClusterTheNextDecisionLooksFirstAtTheNodesThePreviousOneDidNotExamine() throws Exception {
        for (int i = 0; i < 200; i++) {
            cache.putNode(node("n" + i, "4", "16Gi").build());
        }
        List<String> order = cache.snapshot().stream().map(NodeInfo::name).toList();

        scheduler.reconcile(add(pod("first", "100m", "").build()));
        scheduler.reconcile(add(pod("second", "100m", "").build()));

        assertThat(Placement.enoughFeasible(200)).isEqualTo(100);
        assertThat(binder.bindings.get(0).substring("first->".length())).isIn(order.subList(0, 100));
        assertThat(binder.bindings.get(1).substring("second->".length())).isIn(order.subList(100, 200));
    }
}
