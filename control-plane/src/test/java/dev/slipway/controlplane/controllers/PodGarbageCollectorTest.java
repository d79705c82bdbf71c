package dev.slipway.controlplane.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Result;
import dev.slipway.controlplane.testing.TestClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodGarbageCollectorTest {

    private final FakeCluster cluster = new FakeCluster();
    /** The nodes the API server has, which a live read sees even when the cache does not. */
    private final Set<String> liveNodes = new HashSet<>();
    private final TestClock clock = new TestClock(FakeCluster.NOW);
    private final PodGarbageCollector collector = new PodGarbageCollector(cluster.lister(Pod.class), cluster.lister(Node.class),
            liveNodes::contains, cluster, clock);

    private Pod podOn(String name, String node) {
        return cluster.seed(new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build());
    }

    private void node(String name) {
        cluster.seed(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build());
        liveNodes.add(name);
    }

    @Test
    void aPodOnANodeThatIsGoneIsDeletedAtOnceAfterTheQuarantine() {
        node("worker-1");
        Pod kept = podOn("kept", "worker-1");
        Pod orphan = podOn("orphan", "worker-2");

        assertThat(collector.reconcile(ObjectRef.of(kept))).isEqualTo(Result.DONE);
        Result waiting = collector.reconcile(ObjectRef.of(orphan));
        assertThat(waiting).isEqualTo(Result.requeueAfter(PodGarbageCollector.QUARANTINE));
        assertThat(cluster.stored(Pod.class)).hasSize(2);

        clock.advance(PodGarbageCollector.QUARANTINE);
        assertThat(collector.reconcile(ObjectRef.of(orphan))).isEqualTo(Result.DONE);

        assertThat(cluster.actions()).containsExactly("delete Pod default/orphan (now)");
        assertThat(cluster.stored(Pod.class)).extracting(pod -> pod.getMetadata().getName()).containsExactly("kept");
    }

    @Test
    void aNodeTheCacheMissesButTheApiServerHasKeepsItsPods() {
        liveNodes.add("worker-3"); // registered, not yet in the node cache
        Pod pod = podOn("young", "worker-3");

        collector.reconcile(ObjectRef.of(pod));
        clock.advance(PodGarbageCollector.QUARANTINE.plusSeconds(1));

        assertThat(collector.reconcile(ObjectRef.of(pod))).isEqualTo(Result.DONE);
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void aNodeThatComesBackWithinTheQuarantineKeepsItsPodsAndRestartsTheCount() {
        Pod pod = podOn("patient", "worker-4");
        collector.reconcile(ObjectRef.of(pod));
        node("worker-4");
        clock.advance(Duration.ofSeconds(30));
        assertThat(collector.reconcile(ObjectRef.of(pod))).isEqualTo(Result.DONE);

        cluster.delete(cluster.stored(Node.class).getFirst(), ObjectWriter.Deletion.BACKGROUND);
        liveNodes.remove("worker-4");
        cluster.clearActions();
        clock.advance(Duration.ofSeconds(20));

        assertThat(collector.reconcile(ObjectRef.of(pod))).as("a new quarantine from now").isEqualTo(Result.requeueAfter(PodGarbageCollector.QUARANTINE));
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void anUnboundPodBeingDeletedIsDeletedAtOnceAndAPendingOneIsLeftAlone() {
        Pod pending = cluster.seed(new PodBuilder().withNewMetadata().withName("pending").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build());
        Pod leaving = cluster.seed(new PodBuilder().withNewMetadata().withName("leaving").withNamespace("default")
                .withDeletionTimestamp(FakeCluster.NOW.toString()).withDeletionGracePeriodSeconds(30L).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build());

        collector.reconcile(ObjectRef.of(pending));
        collector.reconcile(ObjectRef.of(leaving));

        assertThat(cluster.actions()).containsExactly("delete Pod default/leaving (now)");
    }

    @Test
    void aDeletedNodeNamesThePodsBoundToIt() {
        node("worker-5");
        podOn("a", "worker-5");
        podOn("b", "worker-6");
        podOn("c", "worker-5");

        assertThat(collector.podsOn(cluster.stored(Node.class).getFirst()))
                .containsExactlyInAnyOrder(new ObjectRef("default", "a"), new ObjectRef("default", "c"));
    }
}
