package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Runs a StatefulSet's pods as {@code <name>-<ordinal>} with stable hostnames and one claim per
 * template per ordinal. OrderedReady creates in ordinal order, each Running and Ready before the
 * next, and removes the highest first; Parallel does both at once. Updates replace pods one at a
 * time from the highest ordinal down to the partition. A pod's name is its ordinal, so two pods of
 * one ordinal cannot exist: a replacement is created only after the old pod is gone.
 */
final class StatefulSetReconciler implements Reconciler {

    static final String POD_NAME = "statefulset.kubernetes.io/pod-name";
    static final String REVISION = "controller-revision-hash";
    static final String POD_INDEX = "apps.kubernetes.io/pod-index";

    private final Lister<StatefulSet> statefulSets;
    private final Lister<Pod> pods;
    private final Lister<PersistentVolumeClaim> claims;
    private final ObjectWriter writer;
    private final EventRecorder events;
    private final Clock clock;

    StatefulSetReconciler(Lister<StatefulSet> statefulSets, Lister<Pod> pods, Lister<PersistentVolumeClaim> claims, ObjectWriter writer,
                          EventRecorder events, Clock clock) {
        this.statefulSets = statefulSets;
        this.pods = pods;
        this.claims = claims;
        this.writer = writer;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<StatefulSet> found = statefulSets.get(key);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        StatefulSet set = found.get();
        String name = set.getMetadata().getName();
        String updateRevision = name + "-" + TemplateHash.of(set.getSpec().getTemplate(), 0);
        String currentRevision = set.getStatus() == null || set.getStatus().getCurrentRevision() == null ? updateRevision
                : set.getStatus().getCurrentRevision();
        TreeMap<Integer, Pod> byOrdinal = new TreeMap<>();
        for (Pod pod : pods.list(key.namespace())) {
            ordinalOf(name, pod.getMetadata().getName()).filter(ordinal -> Ownership.isControlledBy(pod, set))
                    .ifPresent(ordinal -> byOrdinal.put(ordinal, pod));
        }
        if (set.getMetadata().getDeletionTimestamp() == null) {
            manage(key, set, byOrdinal, updateRevision);
        }
        writeStatus(set, byOrdinal, currentRevision, updateRevision);
        return Result.DONE;
    }

    static Optional<Integer> ordinalOf(String setName, String podName) {
        if (!podName.startsWith(setName + "-")) {
            return Optional.empty();
        }
        String suffix = podName.substring(setName.length() + 1);
        if (suffix.isEmpty() || !suffix.chars().allMatch(Character::isDigit) || (suffix.length() > 1 && suffix.startsWith("0"))) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(suffix));
    }

    private void manage(ObjectRef key, StatefulSet set, TreeMap<Integer, Pod> byOrdinal, String updateRevision) {
        int replicas = Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
        boolean parallel = "Parallel".equals(set.getSpec().getPodManagementPolicy());
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            Pod pod = byOrdinal.get(ordinal);
            if (pod == null) {
                createClaims(key, set, ordinal);
                Pod created = writer.create(podFor(set, ordinal, updateRevision));
                byOrdinal.put(ordinal, created);
                events.normal(set, "SuccessfulCreate", "create Pod " + created.getMetadata().getName() + " in StatefulSet "
                        + set.getMetadata().getName() + " successful");
                if (!parallel) {
                    return;
                }
                continue;
            }
            if ("Failed".equals(PodState.phase(pod)) && !PodState.isTerminating(pod)) {
                writer.delete(pod, ObjectWriter.Deletion.BACKGROUND);
                events.warning(set, "RecreatingFailedPod", "StatefulSet " + set.getMetadata().getName() + " is recreating failed Pod "
                        + pod.getMetadata().getName());
                return;
            }
            if (!parallel && (!PodState.isRunningAndReady(pod) || PodState.isTerminating(pod))) {
                return; // the next ordinal waits for this one
            }
        }
        List<Integer> condemned = new ArrayList<>(byOrdinal.descendingMap().keySet().stream().filter(ordinal -> ordinal >= replicas).toList());
        for (int ordinal : condemned) {
            Pod pod = byOrdinal.get(ordinal);
            if (PodState.isTerminating(pod)) {
                if (!parallel) {
                    return;
                }
                continue;
            }
            if (!parallel && byOrdinal.headMap(ordinal).values().stream().anyMatch(other -> !PodState.isRunningAndReady(other))) {
                return; // scale down only from a healthy set
            }
            writer.delete(pod, ObjectWriter.Deletion.BACKGROUND);
            events.normal(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName() + " in StatefulSet "
                    + set.getMetadata().getName() + " successful");
            if (!parallel) {
                return;
            }
        }
        if (!condemned.isEmpty()) {
            return;
        }
        rollOut(set, byOrdinal, replicas, updateRevision);
    }

    /** One pod at a time, highest ordinal first, down to the partition; only when every pod is Running and Ready. */
    private void rollOut(StatefulSet set, TreeMap<Integer, Pod> byOrdinal, int replicas, String updateRevision) {
        var strategy = set.getSpec().getUpdateStrategy();
        if (strategy != null && "OnDelete".equals(strategy.getType())) {
            return;
        }
        if (byOrdinal.values().stream().anyMatch(pod -> !PodState.isRunningAndReady(pod) || PodState.isTerminating(pod))) {
            return;
        }
        int partition = strategy == null || strategy.getRollingUpdate() == null ? 0
                : Objects.requireNonNullElse(strategy.getRollingUpdate().getPartition(), 0);
        for (int ordinal = replicas - 1; ordinal >= partition; ordinal--) {
            Pod pod = byOrdinal.get(ordinal);
            if (pod != null && !updateRevision.equals(revisionOf(pod))) {
                writer.delete(pod, ObjectWriter.Deletion.BACKGROUND);
                events.normal(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName() + " in StatefulSet "
                        + set.getMetadata().getName() + " successful");
                return;
            }
        }
    }

    private static String revisionOf(Pod pod) {
        return pod.getMetadata().getLabels() == null ? "" : pod.getMetadata().getLabels().getOrDefault(REVISION, "");
    }

    static String claimName(String template, String setName, int ordinal) {
        return template + "-" + setName + "-" + ordinal;
    }

    private void createClaims(ObjectRef key, StatefulSet set, int ordinal) {
        if (set.getSpec().getVolumeClaimTemplates() == null) {
            return;
        }
        for (PersistentVolumeClaim template : set.getSpec().getVolumeClaimTemplates()) {
            String claim = claimName(template.getMetadata().getName(), set.getMetadata().getName(), ordinal);
            if (claims.get(new ObjectRef(key.namespace(), claim)).isPresent()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of()));
            if (set.getSpec().getSelector() != null && set.getSpec().getSelector().getMatchLabels() != null) {
                labels.putAll(set.getSpec().getSelector().getMatchLabels());
            }
            PersistentVolumeClaim created = new PersistentVolumeClaimBuilder()
                    .withMetadata(new ObjectMetaBuilder().withNamespace(key.namespace()).withName(claim).withLabels(labels)
                            .withAnnotations(template.getMetadata().getAnnotations()).build())
                    .withSpec(TemplateHash.SERIALIZATION.clone(template.getSpec())).build();
            try {
                writer.create(created);
                events.normal(set, "SuccessfulCreate", "create Claim " + claim + " Pod " + set.getMetadata().getName() + "-" + ordinal
                        + " in StatefulSet " + set.getMetadata().getName() + " success");
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e; // 409: the claim exists already (kept from an earlier pod of this ordinal)
                }
            }
        }
    }

    private static Pod podFor(StatefulSet set, int ordinal, String revision) {
        String setName = set.getMetadata().getName();
        String name = setName + "-" + ordinal;
        var template = TemplateHash.SERIALIZATION.clone(set.getSpec().getTemplate());
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null ? Map.of()
                : Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of()));
        labels.put(POD_NAME, name);
        labels.put(REVISION, revision);
        labels.put(POD_INDEX, Integer.toString(ordinal));
        PodSpec spec = template.getSpec();
        spec.setHostname(name);
        if (set.getSpec().getServiceName() != null && !set.getSpec().getServiceName().isEmpty()) {
            spec.setSubdomain(set.getSpec().getServiceName());
        }
        if (set.getSpec().getVolumeClaimTemplates() != null) {
            List<Volume> volumes = new ArrayList<>(Objects.requireNonNullElse(spec.getVolumes(), List.of()));
            for (PersistentVolumeClaim claim : set.getSpec().getVolumeClaimTemplates()) {
                String volumeName = claim.getMetadata().getName();
                volumes.removeIf(volume -> volume.getName().equals(volumeName));
                volumes.add(new VolumeBuilder().withName(volumeName).withNewPersistentVolumeClaim()
                        .withClaimName(claimName(volumeName, setName, ordinal)).endPersistentVolumeClaim().build());
            }
            spec.setVolumes(volumes);
        }
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(set.getMetadata().getNamespace()).withName(name).withLabels(labels)
                        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                        .withOwnerReferences(Ownership.controllerReference(set)).build())
                .withSpec(spec).build();
    }

    private void writeStatus(StatefulSet set, TreeMap<Integer, Pod> byOrdinal, String currentRevision, String updateRevision) {
        int minReady = Objects.requireNonNullElse(set.getSpec().getMinReadySeconds(), 0);
        var now = clock.instant();
        List<Pod> existing = byOrdinal.values().stream().filter(pod -> !PodState.isTerminating(pod)).toList();
        int replicas = Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
        int updated = (int) existing.stream().filter(pod -> updateRevision.equals(revisionOf(pod))).count();
        String current = updated == replicas && existing.size() == replicas ? updateRevision : currentRevision;
        int currentReplicas = (int) existing.stream().filter(pod -> current.equals(revisionOf(pod))).count();
        StatefulSetStatus before = Objects.requireNonNullElse(set.getStatus(), new StatefulSetStatus());
        StatefulSetStatus next = new StatefulSetStatusBuilder(before)
                .withObservedGeneration(set.getMetadata().getGeneration())
                .withReplicas(existing.size())
                .withReadyReplicas((int) existing.stream().filter(PodState::isReady).count())
                .withAvailableReplicas((int) existing.stream().filter(pod -> PodState.isAvailable(pod, minReady, now)).count())
                .withCurrentReplicas(currentReplicas)
                .withUpdatedReplicas(updated)
                .withCurrentRevision(current)
                .withUpdateRevision(updateRevision)
                .build();
        if (!next.equals(before)) {
            StatefulSet copy = TemplateHash.SERIALIZATION.clone(set);
            copy.setStatus(next);
            writer.updateStatus(copy);
        }
    }
}
