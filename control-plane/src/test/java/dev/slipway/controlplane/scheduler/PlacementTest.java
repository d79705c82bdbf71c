package dev.slipway.controlplane.scheduler;

import static dev.slipway.controlplane.scheduler.ClusterObjects.node;
import static dev.slipway.controlplane.scheduler.ClusterObjects.ownedBy;
import static dev.slipway.controlplane.scheduler.ClusterObjects.pod;
import static dev.slipway.controlplane.scheduler.ClusterObjects.readyNode;
import static dev.slipway.controlplane.scheduler.ClusterObjects.taint;
import static dev.slipway.controlplane.scheduler.ClusterObjects.toleration;
import static dev.slipway.controlplane.scheduler.ClusterObjects.tolerating;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashSet;
import java.util.stream.IntStream;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PlacementTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(7);

    private static Placement.Decision decide(Pod pod, NodeInfo... nodes) {
        return Placement.decide(PodDemand.of(pod), List.of(nodes), RANDOM);
    }

    private static NodeInfo withPods(String name, Pod... pods) {
        return NodeInfo.of(readyNode(name), Stream.of(pods).map(PodDemand::of).toList());
    }

    static Stream<Arguments> preferences() {
        return Stream.of(
                Arguments.of("least allocated: the emptier node", pod("p"),
                        List.of(withPods("busy", pod("a", "3", "6Gi").build()), withPods("idle")), "idle"),
                Arguments.of("least allocated: more free memory wins when cpu is equal", pod("p"),
                        List.of(withPods("busy", pod("a", "", "6Gi").build()), withPods("idle", pod("b", "", "1Gi").build())), "idle"),
                Arguments.of("spread: away from a sibling of the same owner", ownedBy(pod("p", "", ""), "rs-1").build(),
                        List.of(withPods("sibling", ownedBy(pod("a", "", ""), "rs-1").build()),
                                withPods("stranger", pod("b", "", "").build())), "stranger"),
                Arguments.of("spread outweighs a little load", ownedBy(pod("p", "", ""), "rs-1").build(),
                        List.of(withPods("sibling", ownedBy(pod("a", "", ""), "rs-1").build()),
                                withPods("loaded", pod("b", "500m", "512Mi").build())), "loaded"),
                Arguments.of("PreferNoSchedule: the untainted node", pod("p"),
                        List.of(NodeInfo.of(taint(node("tainted", "4", "8Gi"), "spot", "yes", "PreferNoSchedule").build()),
                                NodeInfo.of(readyNode("clean"))), "clean"),
                Arguments.of("PreferNoSchedule tolerated: no penalty, so the larger node", tolerating(pod("p", "1", "1Gi"),
                                toleration("spot", "Exists", null, "PreferNoSchedule")).build(),
                        List.of(NodeInfo.of(taint(node("tainted", "16", "64Gi"), "spot", "yes", "PreferNoSchedule").build()),
                                NodeInfo.of(readyNode("clean"))), "tainted"),
                Arguments.of("only feasible node even when fuller", pod("p", "1", "").build(),
                        List.of(NodeInfo.of(node("tiny", "500m", "8Gi").build()), withPods("full", pod("a", "2", "").build())), "full"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preferences")
    void scoresPickTheBestNode(String name, Pod pod, List<NodeInfo> nodes, String expected) {
        Placement.Decision decision = Placement.decide(PodDemand.of(pod), nodes, RANDOM);

        assertThat(decision).isEqualTo(new Placement.Decision.Bind(expected));
    }

    @Test
    void equallyGoodNodesAreChosenAtRandom() {
        List<NodeInfo> twins = List.of(NodeInfo.of(readyNode("a")), NodeInfo.of(readyNode("b")), NodeInfo.of(readyNode("c")));
        Set<Placement.Decision> chosen = new HashSet<>();

        for (int i = 0; i < 200; i++) {
            chosen.add(Placement.decide(PodDemand.of(pod("p")), twins, RANDOM));
        }

        assertThat(chosen).containsExactlyInAnyOrder(new Placement.Decision.Bind("a"), new Placement.Decision.Bind("b"),
                new Placement.Decision.Bind("c"));
    }

    @Test
    void unschedulableMessageCountsReasonsMostFrequentFirst() {
        NodeInfo[] nodes = Stream.concat(
                Stream.of("m1", "m2", "m3").map(name -> NodeInfo.of(taint(node(name, "8", "16Gi"),
                        "node-role.kubernetes.io/control-plane", "", "NoSchedule").build())),
                Stream.of("w1", "w2").map(name -> NodeInfo.of(node(name, "1", "16Gi").build()))).toArray(NodeInfo[]::new);

        Placement.Decision decision = decide(pod("big", "2", "1Gi").build(), nodes);

        assertThat(decision).isEqualTo(new Placement.Decision.Unschedulable(
                "0/5 nodes are available: 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu."));
    }

    @Test
    void aNodeShortOfTwoResourcesCountsForBoth() {
        Placement.Decision decision = decide(pod("big", "8", "32Gi").build(), NodeInfo.of(readyNode("w1")), NodeInfo.of(readyNode("w2")));

        assertThat(decision).isEqualTo(new Placement.Decision.Unschedulable(
                "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."));
    }

    @Test
    void noNodesAtAllIsUnschedulable() {
        assertThat(decide(pod("p"))).isEqualTo(new Placement.Decision.Unschedulable(
                "0/0 nodes are available: no nodes available to schedule pods."));
    }

    @ParameterizedTest(name = "{0} nodes: {1} fitting nodes are enough")
    @CsvSource({"0, 0", "1, 1", "99, 99", "100, 100", "200, 100", "1000, 420", "5000, 500", "10000, 500", "20000, 1000"})
    void enoughFitsFollowTheAdaptivePercentage(int nodes, int enough) {
        assertThat(Placement.enoughFeasible(nodes)).isEqualTo(enough);
    }

    @Test
    void aSearchStopsOnceEnoughNodesFit() {
        Placement.Search search = Placement.search(PodDemand.of(pod("p")), readyNodes(10), 0, 3, RANDOM);

        assertThat(search.examined()).isEqualTo(3);
        assertThat(search.decision()).isIn(bind("n0"), bind("n1"), bind("n2"));
    }

    @Test
    void aSearchWrapsAroundFromWhereItStarts() {
        Placement.Search search = Placement.search(PodDemand.of(pod("p")), readyNodes(10), 8, 3, RANDOM);

        assertThat(search.examined()).isEqualTo(3);
        assertThat(search.decision()).isIn(bind("n8"), bind("n9"), bind("n0"));
    }

    @Test
    void nodesThatDoNotFitDoNotCountTowardsEnough() {
        List<NodeInfo> nodes = IntStream.range(0, 6).mapToObj(i -> i % 2 == 0 ? NodeInfo.of(node("tiny" + i, "100m", "1Gi").build())
                : NodeInfo.of(readyNode("large" + i))).toList();

        Placement.Search search = Placement.search(PodDemand.of(pod("p", "1", "").build()), nodes, 0, 2, RANDOM);

        assertThat(search.examined()).isEqualTo(4);
        assertThat(search.decision()).isIn(bind("large1"), bind("large3"));
    }

    @Test
    void anUnschedulableSearchExaminesEveryNodeForItsMessage() {
        Placement.Search search = Placement.search(PodDemand.of(pod("big", "64", "").build()), readyNodes(10), 4, 3, RANDOM);

        assertThat(search.examined()).isEqualTo(10);
        assertThat(search.decision()).isEqualTo(new Placement.Decision.Unschedulable("0/10 nodes are available: 10 Insufficient cpu."));
    }

    private static List<NodeInfo> readyNodes(int count) {
        return IntStream.range(0, count).mapToObj(i -> NodeInfo.of(readyNode("n" + i))).toList();
    }

    private static Placement.Decision bind(String node) {
        return new Placement.Decision.Bind(node);
    }
}
