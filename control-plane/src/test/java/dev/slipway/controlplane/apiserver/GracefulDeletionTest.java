package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Graceful deletion as Kubernetes does it: a terminating object with a grace period left stays through
 * updates (a pod's status writes) until a delete with grace 0, and removing the last finalizer removes
 * an object only once its grace period is 0.
 */
class GracefulDeletionTest {

    private static ApiServerFixture cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        cluster = ApiServerFixture.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.server().url().toString())
                .withCaCertFile(cluster.caFile().toString())
                .withClientCertFile(cluster.directory().resolve("admin.crt").toString())
                .withClientKeyFile(cluster.directory().resolve("admin.key").toString())
                .withClientKeyAlgo("EC").withNamespace("default").build()).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    /** A pod bound to a node (so deleting it is graceful), with the given finalizers. */
    private static Pod runningPod(String name, List<String> finalizers) {
        Pod pod = client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withFinalizers(finalizers).endMetadata().withNewSpec().withNodeName("node-a").withTerminationGracePeriodSeconds(30L)
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        return client.pods().resource(new PodBuilder(pod).editOrNewStatus().withPhase("Running").endStatus().build()).updateStatus();
    }

    private static Pod notReady(Pod pod) {
        return new PodBuilder(pod).editOrNewStatus().addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus().build();
    }

    @Test
    void aTerminatingPodSurvivesItsStatusWritesUntilDeletedWithGraceZero() {
        runningPod("graceful", List.of());

        client.pods().withName("graceful").delete();
        Pod terminating = client.pods().withName("graceful").get();
        Pod written = client.pods().resource(notReady(terminating)).updateStatus();

        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        assertThat(written.getStatus().getConditions()).extracting(condition -> condition.getType()).contains("Ready");
        assertThat(client.pods().withName("graceful").get()).as("still there after its status write").isNotNull();

        client.pods().withName("graceful").withGracePeriod(0).delete();

        assertThat(client.pods().withName("graceful").get()).isNull();
    }

    @Test
    void removingTheFinalizerOfAPodInItsGracePeriodKeepsItUntilDeletedWithGraceZero() {
        runningPod("finalized", List.of("example.com/hold"));
        client.pods().withName("finalized").delete();

        client.pods().withName("finalized").edit(pod -> new PodBuilder(pod).editMetadata().withFinalizers(List.of()).endMetadata().build());
        assertThat(client.pods().withName("finalized").get()).as("grace period not over").isNotNull();

        client.pods().withName("finalized").withGracePeriod(0).delete();
        assertThat(client.pods().withName("finalized").get()).isNull();
    }

    @Test
    void aDeleteWithGraceZeroShortensTheGracePeriodSoTheLastFinalizerRemovesThePod() {
        runningPod("shortened", List.of("example.com/hold"));
        client.pods().withName("shortened").delete();

        client.pods().withName("shortened").withGracePeriod(0).delete();
        Pod held = client.pods().withName("shortened").get();
        client.pods().withName("shortened").edit(pod -> new PodBuilder(pod).editMetadata().withFinalizers(List.of()).endMetadata().build());

        assertThat(held.getMetadata().getDeletionGracePeriodSeconds()).as("held by its finalizer, grace now 0").isZero();
        assertThat(client.pods().withName("shortened").get()).isNull();
    }

    @Test
    void removingTheLastFinalizerOfADeletedConfigMapRemovesIt() {
        client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("held").withNamespace("default")
                .withFinalizers("example.com/hold").endMetadata().build()).create();
        client.configMaps().withName("held").delete();
        assertThat(client.configMaps().withName("held").get().getMetadata().getDeletionTimestamp()).isNotNull();

        client.configMaps().withName("held").edit(map -> new ConfigMapBuilder(map).editMetadata().withFinalizers(List.of()).endMetadata().build());

        assertThat(client.configMaps().withName("held").get()).isNull();
    }
}
