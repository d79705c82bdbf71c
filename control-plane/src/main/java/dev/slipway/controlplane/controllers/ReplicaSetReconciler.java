package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Keeps {@code spec.replicas} pods of a ReplicaSet's template: creates the missing ones (named from
 * {@code generateName}, owned by the ReplicaSet), deletes the surplus (least useful first), and
 * writes status.
 */
final class ReplicaSetReconciler implements Reconciler {

    /** At most this many pods are created or deleted in one pass; the next pass does the rest. */
    static final int BURST = 500;

    private final Lister<ReplicaSet> replicaSets;
    private final Lister<Pod> pods;
    private final ObjectWriter writer;
    private final EventRecorder events;
    private final Clock clock;
    private final Expectations expectations = new Expectations();

    ReplicaSetReconciler(Lister<ReplicaSet> replicaSets, Lister<Pod> pods, ObjectWriter writer, EventRecorder events, Clock clock) {
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.writer = writer;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<ReplicaSet> found = replicaSets.get(key);
        if (found.isEmpty()) {
            expectations.forget(key);
            return Result.DONE;
        }
        ReplicaSet replicaSet = found.get();
        Instant now = clock.instant();
        List<Pod> owned = pods.list(key.namespace()).stream().filter(pod -> Ownership.isControlledBy(pod, replicaSet)).toList();
        Map<String, Pod> byName = owned.stream().collect(Collectors.toMap(pod -> pod.getMetadata().getName(), pod -> pod, (a, b) -> a));
        List<Pod> active = owned.stream().filter(PodState::isActive).toList();
        long cacheRevision = pods.list(key.namespace()).stream().mapToLong(pod -> Expectations.revision(pod.getMetadata().getResourceVersion()))
                .filter(revision -> revision != Long.MAX_VALUE).max().orElse(0);
        boolean settled = expectations.satisfied(key, byName::containsKey,
                name -> !byName.containsKey(name) || PodState.isTerminating(byName.get(name)), cacheRevision, now);
        if (settled && replicaSet.getMetadata().getDeletionTimestamp() == null) {
            manageReplicas(key, replicaSet, active, now);
        }
        writeStatus(replicaSet, active, now);
        if (!settled) {
            return Result.requeueAfter(Expectations.TIMEOUT);
        }
        return untilAvailable(replicaSet, active, now);
    }

    private void manageReplicas(ObjectRef key, ReplicaSet replicaSet, List<Pod> active, Instant now) {
        int wanted = replicas(replicaSet);
        int diff = active.size() - wanted;
        if (diff < 0) {
            int create = Math.min(-diff, BURST);
            for (int i = 0; i < create; i++) {
                Pod created;
                try {
                    created = writer.create(podFor(replicaSet));
                } catch (RuntimeException e) {
                    events.warning(replicaSet, "FailedCreate", "Error creating: " + e.getMessage());
                    throw e;
                }
                expectations.expectCreation(key, created.getMetadata().getName(), created.getMetadata().getResourceVersion(), now);
                events.normal(replicaSet, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            }
        } else if (diff > 0) {
            List<Pod> victims = active.stream().sorted(deletionOrder()).limit(Math.min(diff, BURST)).toList();
            for (Pod pod : victims) {
                expectations.expectDeletion(key, pod.getMetadata().getName(), now);
                writer.delete(pod, ObjectWriter.Deletion.BACKGROUND);
                events.normal(replicaSet, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
            }
        }
    }

    static int replicas(ReplicaSet replicaSet) {
        Integer replicas = replicaSet.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static Pod podFor(ReplicaSet replicaSet) {
        var template = TemplateHash.SERIALIZATION.clone(replicaSet.getSpec().getTemplate());
        var templateMeta = template.getMetadata() == null ? new ObjectMetaBuilder().build() : template.getMetadata();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(replicaSet.getMetadata().getNamespace())
                        .withGenerateName(replicaSet.getMetadata().getName() + "-")
                        .withLabels(templateMeta.getLabels()).withAnnotations(templateMeta.getAnnotations())
                        .withFinalizers(templateMeta.getFinalizers())
                        .withOwnerReferences(Ownership.controllerReference(replicaSet)).build())
                .withSpec(template.getSpec()).build();
    }

    /** The pods to delete first: unscheduled, then pending, not ready, ready for less time, restarted more, newer. */
    static Comparator<Pod> deletionOrder() {
        Comparator<Pod> scheduled = Comparator.comparing(pod -> pod.getSpec() != null && pod.getSpec().getNodeName() != null
                && !pod.getSpec().getNodeName().isEmpty());
        Comparator<Pod> phase = Comparator.comparingInt(pod -> switch (PodState.phase(pod)) {
            case "Pending" -> 0;
            case "Running" -> 2;
            default -> 1;
        });
        Comparator<Pod> ready = Comparator.comparing(PodState::isReady);
        Comparator<Pod> readyLonger = Comparator.comparing((Pod pod) -> PodState.readySince(pod).orElse(Instant.MAX)).reversed();
        Comparator<Pod> restarts = Comparator.comparingInt(PodState::restarts).reversed();
        Comparator<Pod> newer = Comparator.comparing((Pod pod) -> Objects.requireNonNullElse(pod.getMetadata().getCreationTimestamp(), ""))
                .reversed();
        return scheduled.thenComparing(phase).thenComparing(ready).thenComparing(readyLonger).thenComparing(restarts).thenComparing(newer);
    }

    private void writeStatus(ReplicaSet replicaSet, List<Pod> active, Instant now) {
        int minReady = Objects.requireNonNullElse(replicaSet.getSpec().getMinReadySeconds(), 0);
        Map<String, String> templateLabels = replicaSet.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : Objects.requireNonNullElse(replicaSet.getSpec().getTemplate().getMetadata().getLabels(), Map.of());
        ReplicaSetStatus current = replicaSet.getStatus() == null ? new ReplicaSetStatus() : replicaSet.getStatus();
        ReplicaSetStatus next = new ReplicaSetStatusBuilder(current)
                .withReplicas(active.size())
                .withFullyLabeledReplicas((int) active.stream().filter(pod -> hasLabels(pod, templateLabels)).count())
                .withReadyReplicas((int) active.stream().filter(PodState::isReady).count())
                .withAvailableReplicas((int) active.stream().filter(pod -> PodState.isAvailable(pod, minReady, now)).count())
                .withObservedGeneration(replicaSet.getMetadata().getGeneration()).build();
        if (sameCounts(current, next)) {
            return;
        }
        ReplicaSet updated = TemplateHash.SERIALIZATION.clone(replicaSet);
        updated.setStatus(next);
        writer.updateStatus(updated);
    }

    private static boolean hasLabels(Pod pod, Map<String, String> labels) {
        Map<String, String> present = Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
        return present.entrySet().containsAll(labels.entrySet());
    }

    private static boolean sameCounts(ReplicaSetStatus a, ReplicaSetStatus b) {
        return Objects.equals(zero(a.getReplicas()), zero(b.getReplicas()))
                && Objects.equals(zero(a.getFullyLabeledReplicas()), zero(b.getFullyLabeledReplicas()))
                && Objects.equals(zero(a.getReadyReplicas()), zero(b.getReadyReplicas()))
                && Objects.equals(zero(a.getAvailableReplicas()), zero(b.getAvailableReplicas()))
                && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }

    /** With {@code minReadySeconds}, come back when the next ready pod becomes available. */
    private static Result untilAvailable(ReplicaSet replicaSet, List<Pod> active, Instant now) {
        int minReady = Objects.requireNonNullElse(replicaSet.getSpec().getMinReadySeconds(), 0);
        if (minReady <= 0) {
            return Result.DONE;
        }
        return active.stream().filter(pod -> PodState.isReady(pod) && !PodState.isAvailable(pod, minReady, now))
                .map(pod -> PodState.readySince(pod).map(since -> Duration.between(now, since.plusSeconds(minReady))).orElse(Duration.ofSeconds(minReady)))
                .min(Comparator.naturalOrder()).map(delay -> Result.requeueAfter(delay.isNegative() ? Duration.ZERO : delay.plusMillis(100)))
                .orElse(Result.DONE);
    }
}
