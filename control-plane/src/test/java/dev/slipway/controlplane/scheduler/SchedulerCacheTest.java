package dev.slipway.controlplane.scheduler;

import static dev.slipway.controlplane.scheduler.ClusterObjects.pod;
import static dev.slipway.controlplane.scheduler.ClusterObjects.readyNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerCacheTest {

    private final SchedulerCache cache = new SchedulerCache();

    @BeforeEach
    void twoNodes() {
        cache.putNode(readyNode("n1"));
        cache.putNode(readyNode("n2"));
    }

    private static Pod bound(Pod pod, String node) {
        return new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build();
    }

    private long cpuOn(String node) {
        return cache.node(node).orElseThrow().requested().milliCpu();
    }

    @Test
    void anAssumedPodCountsOnItsNodeAtOnce() {
        cache.assume(PodDemand.of(pod("p")), "n1");

        assertThat(cpuOn("n1")).isEqualTo(100);
        assertThat(cache.isPlaced("uid-p")).isTrue();
    }

    @Test
    void theInformersCopyReplacesTheAssumedOneWithoutCountingTwice() {
        cache.assume(PodDemand.of(pod("p")), "n1");

        cache.putPod(bound(pod("p"), "n1"));

        assertThat(cpuOn("n1")).isEqualTo(100);
    }

    @Test
    void aStaleUnboundCopyDoesNotUndoAnAssumption() {
        cache.assume(PodDemand.of(pod("p")), "n1");

        cache.putPod(pod("p"));

        assertThat(cache.isPlaced("uid-p")).isTrue();
    }

    @Test
    void forgettingAFailedBindingFreesTheNode() {
        cache.assume(PodDemand.of(pod("p")), "n1");

        cache.forget("uid-p");

        assertThat(cpuOn("n1")).isZero();
        assertThat(cache.isPlaced("uid-p")).isFalse();
    }

    @Test
    void forgetLeavesAConfirmedPodAlone() {
        cache.putPod(bound(pod("p"), "n1"));

        cache.forget("uid-p");

        assertThat(cpuOn("n1")).isEqualTo(100);
    }

    @Test
    void finishedAndDeletedPodsStopCounting() {
        cache.putPod(bound(pod("done"), "n1"));
        cache.putPod(bound(pod("gone"), "n2"));

        cache.putPod(new PodBuilder(bound(pod("done"), "n1")).withNewStatus().withPhase("Succeeded").endStatus().build());
        cache.removePod("uid-gone");

        assertThat(cpuOn("n1")).isZero();
        assertThat(cpuOn("n2")).isZero();
    }

    @Test
    void aPodSeenBeforeItsNodeCountsOnceTheNodeArrives() {
        cache.putPod(bound(pod("early"), "n3"));

        cache.putNode(readyNode("n3"));

        assertThat(cpuOn("n3")).isEqualTo(100);
    }

    @Test
    void aNodeUpdateKeepsItsPods() {
        cache.putPod(bound(pod("p"), "n1"));

        cache.putNode(readyNode("n1"));

        assertThat(cpuOn("n1")).isEqualTo(100);
    }

    @Test
    void theSnapshotShowsEveryNodeAndIsRebuiltAfterAChange() {
        var before = cache.snapshot();

        cache.removeNode("n2");

        assertThat(before).extracting(NodeInfo::name).containsExactlyInAnyOrder("n1", "n2");
        assertThat(cache.snapshot()).extracting(NodeInfo::name).containsExactly("n1");
    }
}
