package dev.slipway.controlplane.scheduler;

import static dev.slipway.controlplane.scheduler.ClusterObjects.hostPort;
import static dev.slipway.controlplane.scheduler.ClusterObjects.node;
import static dev.slipway.controlplane.scheduler.ClusterObjects.pod;
import static dev.slipway.controlplane.scheduler.ClusterObjects.requirement;
import static dev.slipway.controlplane.scheduler.ClusterObjects.requiring;
import static dev.slipway.controlplane.scheduler.ClusterObjects.taint;
import static dev.slipway.controlplane.scheduler.ClusterObjects.toleration;
import static dev.slipway.controlplane.scheduler.ClusterObjects.tolerating;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeFilterTest {

    private static final String TAINTED = "node(s) had untolerated taint {dedicated: gpu}";
    private static final String AFFINITY = "node(s) didn't match Pod's node affinity/selector";

    private static NodeBuilder plain() {
        return node("n1", "2", "4Gi").editMetadata().addToLabels("zone", "a").addToLabels("disks", "3").endMetadata();
    }

    private static PodBuilder small() {
        return pod("p", "100m", "128Mi");
    }

    private static Arguments row(String name, NodeBuilder node, PodBuilder pod, List<String> reasons) {
        return Arguments.of(name, node.build(), pod.build(), List.of(), reasons);
    }

    private static Arguments withPodsOnNode(String name, NodeBuilder node, List<Pod> existing, PodBuilder pod, List<String> reasons) {
        return Arguments.of(name, node.build(), pod.build(), existing, reasons);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("fits", plain(), small(), List.of()),
                row("not ready", plain().editStatus().editFirstCondition().withStatus("Unknown").endCondition().endStatus(), small(),
                        List.of("node(s) were not ready")),
                row("no Ready condition", plain().editStatus().withConditions(List.of()).endStatus(), small(), List.of("node(s) were not ready")),
                row("cordoned", plain().editSpec().withUnschedulable(true).endSpec(), small(), List.of("node(s) were unschedulable")),
                row("cordoned, tolerated", plain().editSpec().withUnschedulable(true).endSpec(),
                        tolerating(small(), toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule")), List.of()),
                row("NoSchedule taint", taint(plain(), "dedicated", "gpu", "NoSchedule"), small(), List.of(TAINTED)),
                row("NoExecute taint", taint(plain(), "dedicated", "gpu", "NoExecute"), small(), List.of(TAINTED)),
                row("PreferNoSchedule only scores", taint(plain(), "dedicated", "gpu", "PreferNoSchedule"), small(), List.of()),
                row("tolerated by Equal", taint(plain(), "dedicated", "gpu", "NoSchedule"),
                        tolerating(small(), toleration("dedicated", "Equal", "gpu", "NoSchedule")), List.of()),
                row("tolerated by Exists on the key", taint(plain(), "dedicated", "gpu", "NoSchedule"),
                        tolerating(small(), toleration("dedicated", "Exists", null, null)), List.of()),
                row("tolerated by Exists without key", taint(plain(), "dedicated", "gpu", "NoExecute"),
                        tolerating(small(), toleration(null, "Exists", null, null)), List.of()),
                row("toleration of another value", taint(plain(), "dedicated", "gpu", "NoSchedule"),
                        tolerating(small(), toleration("dedicated", "Equal", "fpga", "NoSchedule")), List.of(TAINTED)),
                row("toleration of another effect", taint(plain(), "dedicated", "gpu", "NoExecute"),
                        tolerating(small(), toleration("dedicated", "Exists", null, "NoSchedule")), List.of(TAINTED)),
                row("control-plane taint without value", taint(plain(), "node-role.kubernetes.io/control-plane", null, "NoSchedule"), small(),
                        List.of("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")),
                row("nodeSelector matches", plain(), small().editSpec().addToNodeSelector("zone", "a").endSpec(), List.of()),
                row("nodeSelector differs", plain(), small().editSpec().addToNodeSelector("zone", "b").endSpec(), List.of(AFFINITY)),
                row("nodeSelector label missing", plain(), small().editSpec().addToNodeSelector("ssd", "true").endSpec(), List.of(AFFINITY)),
                row("In matches", plain(), requiring(small(), requirement("zone", "In", "a", "b")), List.of()),
                row("In misses", plain(), requiring(small(), requirement("zone", "In", "b")), List.of(AFFINITY)),
                row("NotIn matches", plain(), requiring(small(), requirement("zone", "NotIn", "b")), List.of()),
                row("NotIn misses", plain(), requiring(small(), requirement("zone", "NotIn", "a")), List.of(AFFINITY)),
                row("NotIn on a missing label matches", plain(), requiring(small(), requirement("ssd", "NotIn", "true")), List.of()),
                row("Exists matches", plain(), requiring(small(), requirement("zone", "Exists")), List.of()),
                row("Exists misses", plain(), requiring(small(), requirement("ssd", "Exists")), List.of(AFFINITY)),
                row("DoesNotExist matches", plain(), requiring(small(), requirement("ssd", "DoesNotExist")), List.of()),
                row("DoesNotExist misses", plain(), requiring(small(), requirement("zone", "DoesNotExist")), List.of(AFFINITY)),
                row("Gt matches", plain(), requiring(small(), requirement("disks", "Gt", "2")), List.of()),
                row("Gt misses", plain(), requiring(small(), requirement("disks", "Gt", "3")), List.of(AFFINITY)),
                row("Lt matches", plain(), requiring(small(), requirement("disks", "Lt", "4")), List.of()),
                row("Lt misses", plain(), requiring(small(), requirement("disks", "Lt", "3")), List.of(AFFINITY)),
                row("Gt on a label that is not a number", plain(), requiring(small(), requirement("zone", "Gt", "1")), List.of(AFFINITY)),
                row("all requirements of a term must hold", plain(),
                        requiring(small(), requirement("zone", "In", "a"), requirement("ssd", "Exists")), List.of(AFFINITY)),
                row("unknown operator never matches", plain(), requiring(small(), requirement("zone", "Like", "a")), List.of(AFFINITY)),
                withPodsOnNode("host port taken", plain(), List.of(hostPort(pod("web", "", ""), 8080).build()), hostPort(small(), 8080),
                        List.of("node(s) didn't have free ports for the requested pod ports")),
                withPodsOnNode("other host port", plain(), List.of(hostPort(pod("web", "", ""), 8080).build()), hostPort(small(), 8081),
                        List.of()),
                withPodsOnNode("same port, other protocol", plain(), List.of(hostPort(pod("web", "", ""), 53).build()),
                        small().editSpec().editFirstContainer().withPorts(new ContainerPortBuilder().withContainerPort(53).withHostPort(53)
                                .withProtocol("UDP").build()).endContainer().endSpec(), List.of()),
                withPodsOnNode("same port, two specific addresses", plain(), List.of(pod("web", "", "").editSpec().editFirstContainer()
                                .withPorts(new ContainerPortBuilder().withContainerPort(80).withHostPort(80).withHostIP("10.0.0.1").build())
                                .endContainer().endSpec().build()),
                        small().editSpec().editFirstContainer().withPorts(new ContainerPortBuilder().withContainerPort(80).withHostPort(80)
                                .withHostIP("10.0.0.2").build()).endContainer().endSpec(), List.of()),
                row("insufficient cpu", plain(), pod("p", "3", "128Mi"), List.of("Insufficient cpu")),
                row("insufficient memory", plain(), pod("p", "100m", "5Gi"), List.of("Insufficient memory")),
                row("insufficient cpu and memory", plain(), pod("p", "3", "5Gi"), List.of("Insufficient cpu", "Insufficient memory")),
                withPodsOnNode("cpu taken by pods on the node", plain(), List.of(pod("a", "1500m", "").build()), pod("p", "600m", ""),
                        List.of("Insufficient cpu")),
                withPodsOnNode("exactly the free cpu fits", plain(), List.of(pod("a", "1500m", "").build()), pod("p", "500m", ""), List.of()),
                row("limits count as requests", plain(), small().editSpec().editFirstContainer().withNewResources()
                        .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("3")).endResources().endContainer().endSpec(),
                        List.of("Insufficient cpu")),
                row("largest init container counts", plain(), small().editSpec().addNewInitContainer().withName("init").withNewResources()
                        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("6Gi")).endResources().endInitContainer().endSpec(),
                        List.of("Insufficient memory")),
                withPodsOnNode("too many pods", plain().editStatus().addToAllocatable("pods", new io.fabric8.kubernetes.api.model.Quantity("1"))
                        .endStatus(), List.of(pod("a")), small(), List.of("Too many pods")),
                row("taints are checked before resources", taint(plain(), "dedicated", "gpu", "NoSchedule"), pod("p", "3", ""), List.of(TAINTED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filtersAnswerKubernetesReasons(String name, Node node, Pod pod, List<Pod> onNode, List<String> reasons) {
        NodeInfo info = NodeInfo.of(node, onNode.stream().map(PodDemand::of).toList());

        List<String> rejected = NodeFilter.rejections(PodDemand.of(pod), info);

        assertThat(rejected).containsExactlyElementsOf(reasons);
    }
}
