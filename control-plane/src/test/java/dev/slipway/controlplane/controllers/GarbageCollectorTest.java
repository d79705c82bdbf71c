package dev.slipway.controlplane.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {

    private final FakeCluster cluster = new FakeCluster();
    private final GarbageCollector.Kind configMaps = new GarbageCollector.Kind("v1", "ConfigMap", cluster.lister(ConfigMap.class));
    private final GarbageCollector.Kind pods = new GarbageCollector.Kind("v1", "Pod", cluster.lister(Pod.class));

    /** The API server's view, as the live lookups read it: the stored objects, lagging cache or not. */
    private final GarbageCollector.OwnerLookup live = new GarbageCollector.OwnerLookup() {
        @Override
        public boolean exists(OwnerReference owner, String namespace) {
            return cluster.stored(ConfigMap.class).stream().anyMatch(map -> map.getMetadata().getUid().equals(owner.getUid()));
        }

        @Override
        public Set<String> dependents(GarbageCollector.Kind kind, String namespace, String ownerUid) {
            Class<? extends HasMetadata> type = kind.kind().equals("Pod") ? Pod.class : ConfigMap.class;
            return cluster.stored(type).stream()
                    .filter(object -> object.getMetadata().getOwnerReferences() != null
                            && object.getMetadata().getOwnerReferences().stream().anyMatch(reference -> ownerUid.equals(reference.getUid())))
                    .map(object -> object.getMetadata().getUid()).collect(Collectors.toSet());
        }
    };
    private final GarbageCollector collector = new GarbageCollector(List.of(configMaps, pods), live, cluster);

    @Test
    void anOrphaningWaitsUntilTheCacheHoldsADependentCreatedJustBefore() throws Exception {
        // Given: an owner being deleted with propagationPolicy Orphan, and a dependent the pod cache has not seen yet
        ConfigMap owner = cluster.seed(new ConfigMapBuilder().withNewMetadata().withName("owner").withNamespace("default")
                .withDeletionTimestamp(FakeCluster.NOW.toString()).withFinalizers(GarbageCollector.ORPHAN).endMetadata().build());
        cluster.lagCache();
        cluster.create(new PodBuilder().withNewMetadata().withName("dependent").withNamespace("default").addNewOwnerReference()
                .withApiVersion("v1").withKind("ConfigMap").withName("owner").withUid(owner.getMetadata().getUid()).endOwnerReference()
                .endMetadata().build());

        // When / Then: the finalizer stays until the cache has the dependent
        Result early = collector.reconcilerFor(configMaps).reconcile(ObjectRef.of(owner));
        assertThat(early).isInstanceOf(Result.RequeueAfter.class);
        assertThat(cluster.stored(ConfigMap.class).getFirst().getMetadata().getFinalizers()).containsExactly(GarbageCollector.ORPHAN);

        cluster.catchUp();
        Result later = collector.reconcilerFor(configMaps).reconcile(ObjectRef.of(owner));

        assertThat(later).isEqualTo(Result.DONE);
        assertThat(cluster.stored(Pod.class).getFirst().getMetadata().getOwnerReferences()).isEmpty();
        assertThat(cluster.stored(ConfigMap.class)).as("its last finalizer dropped, the owner is gone").isEmpty();
    }
}
