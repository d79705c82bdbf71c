package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.Map;

/** Small workloads for the reconcile tests. */
final class TestObjects {

    private TestObjects() {
    }

    static PodTemplateSpec template(String app, String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", app)).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage(image).endContainer().endSpec().build();
    }

    static ReplicaSet replicaSet(String name, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withTemplate(template(name, "nginx:1")).endSpec().build();
    }

    static Deployment deployment(String name, int replicas, Object maxSurge, Object maxUnavailable) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withTemplate(template(name, "nginx:1"))
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(maxSurge))
                .withMaxUnavailable(new IntOrString(maxUnavailable)).endRollingUpdate().endStrategy()
                .withRevisionHistoryLimit(10).withProgressDeadlineSeconds(600).endSpec().build();
    }

    /** The pod as a kubelet would report it: Running and Ready (since {@code FakeCluster.NOW} minus a minute), or Pending. */
    static Pod withPhase(Pod pod, boolean runningAndReady) {
        return new PodBuilder(pod).withNewStatus().withPhase(runningAndReady ? "Running" : "Pending")
                .addNewCondition().withType("Ready").withStatus(runningAndReady ? "True" : "False")
                .withLastTransitionTime(FakeCluster.NOW.minusSeconds(60).toString()).endCondition().endStatus().build();
    }

    static Node node(String name, boolean ready, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }
}
