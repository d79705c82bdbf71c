package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;

/** Nodes and pods for scheduling tests, built with fabric8's model. */
final class ClusterObjects {

    private ClusterObjects() {
    }

    static NodeBuilder node(String name, String cpu, String memory) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addToAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory), "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
    }

    static Node readyNode(String name) {
        return node(name, "4", "8Gi").build();
    }

    static NodeBuilder taint(NodeBuilder node, String key, String value, String effect) {
        return node.editSpec().addToTaints(new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build()).endSpec();
    }

    static PodBuilder pod(String name, String cpu, String memory) {
        var container = new ContainerBuilder().withName("main").withImage("busybox");
        if (!cpu.isEmpty()) {
            container.editOrNewResources().addToRequests("cpu", new Quantity(cpu)).endResources();
        }
        if (!memory.isEmpty()) {
            container.editOrNewResources().addToRequests("memory", new Quantity(memory)).endResources();
        }
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name).endMetadata()
                .withNewSpec().withContainers(container.build()).endSpec();
    }

    static Pod pod(String name) {
        return pod(name, "100m", "128Mi").build();
    }

    static PodBuilder ownedBy(PodBuilder pod, String ownerUid) {
        return pod.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("rs-" + ownerUid).withUid(ownerUid).withController(true).build()).endMetadata();
    }

    static PodBuilder hostPort(PodBuilder pod, int port) {
        return pod.editSpec().editFirstContainer().withPorts(new ContainerPortBuilder().withContainerPort(port).withHostPort(port).build())
                .endContainer().endSpec();
    }

    static PodBuilder tolerating(PodBuilder pod, Toleration toleration) {
        return pod.editSpec().addToTolerations(toleration).endSpec();
    }

    static Toleration toleration(String key, String operator, String value, String effect) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect).build();
    }

    static PodBuilder requiring(PodBuilder pod, NodeSelectorRequirement... requirements) {
        return pod.editSpec().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(new NodeSelectorTermBuilder().withMatchExpressions(List.of(requirements)).build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec();
    }

    static NodeSelectorRequirement requirement(String key, String operator, String... values) {
        return new NodeSelectorRequirement(key, operator, List.of(values));
    }
}
