package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Rolls a Deployment out through one ReplicaSet per pod template (named and labelled with the
 * template's hash): RollingUpdate within maxSurge/maxUnavailable, or Recreate; revision
 * annotations (so {@code kubectl rollout undo} finds old templates), history pruning, pause, and
 * the status and conditions {@code kubectl rollout status} waits for.
 */
final class DeploymentReconciler implements Reconciler {

    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    private static final List<String> NOT_COPIED = List.of("kubectl.kubernetes.io/last-applied-configuration", REVISION,
            "deployment.kubernetes.io/revision-history", DESIRED_REPLICAS, MAX_REPLICAS);

    private final Lister<Deployment> deployments;
    private final Lister<ReplicaSet> replicaSets;
    private final ObjectWriter writer;
    private final EventRecorder events;
    private final Clock clock;

    DeploymentReconciler(Lister<Deployment> deployments, Lister<ReplicaSet> replicaSets, ObjectWriter writer, EventRecorder events,
                         Clock clock) {
        this.deployments = deployments;
        this.replicaSets = replicaSets;
        this.writer = writer;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<Deployment> found = deployments.get(key);
        if (found.isEmpty() || found.get().getMetadata().getDeletionTimestamp() != null) {
            return Result.DONE;
        }
        Deployment deployment = found.get();
        List<ReplicaSet> owned = replicaSets.list(key.namespace()).stream()
                .filter(rs -> Ownership.isControlledBy(rs, deployment))
                .sorted(Comparator.comparing((ReplicaSet rs) -> Objects.requireNonNullElse(rs.getMetadata().getCreationTimestamp(), ""))
                        .thenComparing(rs -> rs.getMetadata().getName()))
                .toList();
        return new Pass(deployment, owned).run();
    }

    /** One reconcile of one Deployment: the ReplicaSets as this pass has left them. */
    private final class Pass {
        private Deployment deployment;
        private ReplicaSet newest;
        private final List<ReplicaSet> old = new ArrayList<>();
        private final Instant now = clock.instant();
        private boolean acted;

        Pass(Deployment deployment, List<ReplicaSet> owned) {
            this.deployment = deployment;
            for (ReplicaSet rs : owned) {
                if (newest == null && TemplateHash.equalIgnoringHash(rs.getSpec().getTemplate(), deployment.getSpec().getTemplate())) {
                    newest = rs;
                } else {
                    old.add(rs);
                }
            }
        }

        Result run() {
            if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
                syncRevision();
                scalePaused();
                return writeStatus();
            }
            if ("Recreate".equals(strategyType())) {
                recreate();
            } else {
                rollingUpdate();
            }
            return writeStatus();
        }

        private String strategyType() {
            return deployment.getSpec().getStrategy() == null || deployment.getSpec().getStrategy().getType() == null ? "RollingUpdate"
                    : deployment.getSpec().getStrategy().getType();
        }

        private void rollingUpdate() {
            syncRevision();
            if (newest == null) {
                createNewReplicaSet(newReplicaSetReplicas(0));
                return;
            }
            if (scaleNewReplicaSet()) {
                return;
            }
            if (scaleDownOldReplicaSets()) {
                return;
            }
            if (complete()) {
                pruneHistory();
            }
        }

        private void recreate() {
            syncRevision();
            boolean scaledDown = false;
            for (ReplicaSet rs : List.copyOf(old)) {
                if (replicas(rs) > 0) {
                    scale(rs, 0);
                    scaledDown = true;
                }
            }
            if (scaledDown || old.stream().anyMatch(rs -> statusReplicas(rs) > 0)) {
                return; // old pods must be gone before new ones start
            }
            if (newest == null) {
                createNewReplicaSet(desired());
                return;
            }
            if (replicas(newest) != desired()) {
                scale(newest, desired());
                return;
            }
            if (complete()) {
                pruneHistory();
            }
        }

        private void scalePaused() {
            List<ReplicaSet> active = all().stream().filter(rs -> replicas(rs) > 0).toList();
            if (newest != null && active.stream().allMatch(rs -> rs == newest)) {
                if (replicas(newest) != desired()) {
                    scale(newest, desired());
                }
                return;
            }
            // Mid-rollout while paused: the difference goes to the newest active ReplicaSet.
            int total = active.stream().mapToInt(DeploymentReconciler::replicas).sum();
            if (!active.isEmpty() && total != desired()) {
                ReplicaSet latest = active.getLast();
                scale(latest, Math.max(0, replicas(latest) + desired() - total));
            }
        }

        /** Kubernetes' NewRSNewReplicas: grow the new ReplicaSet as far as maxSurge allows. */
        private int newReplicaSetReplicas(int current) {
            int total = all().stream().mapToInt(DeploymentReconciler::replicas).sum();
            int maxTotal = desired() + maxSurge();
            if (total >= maxTotal) {
                return current;
            }
            return current + Math.max(0, Math.min(maxTotal - total, desired() - current));
        }

        private boolean scaleNewReplicaSet() {
            int current = replicas(newest);
            if (current == desired()) {
                return false;
            }
            int target = current > desired() ? desired() : newReplicaSetReplicas(current);
            if (target == current) {
                return false;
            }
            scale(newest, target);
            return true;
        }

        /** Kubernetes' reconcileOldReplicaSets: first unhealthy old pods, then healthy ones down to minAvailable. */
        private boolean scaleDownOldReplicaSets() {
            int oldPods = old.stream().mapToInt(DeploymentReconciler::replicas).sum();
            if (oldPods == 0) {
                return false;
            }
            int allPods = all().stream().mapToInt(DeploymentReconciler::replicas).sum();
            int minAvailable = desired() - maxUnavailable();
            int newUnavailable = replicas(newest) - available(newest);
            int maxScaledDown = allPods - minAvailable - newUnavailable;
            if (maxScaledDown <= 0) {
                return false;
            }
            int cleaned = 0;
            for (ReplicaSet rs : oldestFirst()) {
                if (cleaned >= maxScaledDown) {
                    break;
                }
                int unhealthy = replicas(rs) - available(rs);
                if (replicas(rs) == 0 || unhealthy <= 0) {
                    continue;
                }
                int down = Math.min(maxScaledDown - cleaned, unhealthy);
                scale(rs, replicas(rs) - down);
                cleaned += down;
            }
            int availablePods = all().stream().mapToInt(DeploymentReconciler::available).sum();
            int budget = Math.min(maxScaledDown - cleaned, availablePods - minAvailable);
            int scaled = 0;
            for (ReplicaSet rs : oldestFirst()) {
                if (scaled >= budget) {
                    break;
                }
                if (replicas(rs) == 0) {
                    continue;
                }
                int down = Math.min(replicas(rs), budget - scaled);
                scale(rs, replicas(rs) - down);
                scaled += down;
            }
            return cleaned + scaled > 0;
        }

        private List<ReplicaSet> oldestFirst() {
            return List.copyOf(old);
        }

        /** Bumps the new ReplicaSet's revision above the old ones (this is what makes an undo a new revision). */
        private void syncRevision() {
            long next = old.stream().mapToLong(DeploymentReconciler::revision).max().orElse(0) + 1;
            if (newest != null && revision(newest) < next) {
                ReplicaSet copy = TemplateHash.SERIALIZATION.clone(newest);
                annotations(copy.getMetadata().getAnnotations(), copy).put(REVISION, Long.toString(next));
                newest = writer.update(copy);
                acted = true;
            }
            if (newest != null) {
                annotateDeploymentRevision(Long.toString(revision(newest)));
            }
        }

        private void annotateDeploymentRevision(String revision) {
            Map<String, String> annotations = deployment.getMetadata().getAnnotations();
            if (annotations != null && revision.equals(annotations.get(REVISION))) {
                return;
            }
            Deployment copy = TemplateHash.SERIALIZATION.clone(deployment);
            Map<String, String> next = copy.getMetadata().getAnnotations() == null ? new HashMap<>()
                    : new HashMap<>(copy.getMetadata().getAnnotations());
            next.put(REVISION, revision);
            copy.getMetadata().setAnnotations(next);
            deployment = writer.update(copy);
        }

        private void createNewReplicaSet(int replicas) {
            int collisions = collisionCount();
            String hash = TemplateHash.of(TemplateHash.withoutHashLabel(deployment.getSpec().getTemplate()), collisions);
            long revision = old.stream().mapToLong(DeploymentReconciler::revision).max().orElse(0) + 1;
            PodTemplateSpec template = TemplateHash.withoutHashLabel(deployment.getSpec().getTemplate());
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of()));
            labels.put(TemplateHash.POD_TEMPLATE_HASH, hash);
            template.getMetadata().setLabels(labels);
            LabelSelector selector = TemplateHash.SERIALIZATION.clone(deployment.getSpec().getSelector());
            Map<String, String> matchLabels = new HashMap<>(Objects.requireNonNullElse(selector.getMatchLabels(), Map.of()));
            matchLabels.put(TemplateHash.POD_TEMPLATE_HASH, hash);
            selector.setMatchLabels(matchLabels);
            Map<String, String> annotations = new HashMap<>();
            Objects.requireNonNullElse(deployment.getMetadata().getAnnotations(), Map.<String, String>of()).forEach((name, value) -> {
                if (!NOT_COPIED.contains(name)) {
                    annotations.put(name, value);
                }
            });
            annotations.put(REVISION, Long.toString(revision));
            annotations.put(DESIRED_REPLICAS, Integer.toString(desired()));
            annotations.put(MAX_REPLICAS, Integer.toString(desired() + maxSurge()));
            ReplicaSet replicaSet = new ReplicaSetBuilder()
                    .withMetadata(new ObjectMetaBuilder().withNamespace(deployment.getMetadata().getNamespace())
                            .withName(deployment.getMetadata().getName() + "-" + hash).withLabels(labels).withAnnotations(annotations)
                            .withOwnerReferences(Ownership.controllerReference(deployment)).build())
                    .withNewSpec().withReplicas(replicas).withMinReadySeconds(deployment.getSpec().getMinReadySeconds())
                    .withSelector(selector).withTemplate(template).endSpec().build();
            try {
                newest = writer.create(replicaSet);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    // A ReplicaSet of that name with another template: count the collision and hash again next time.
                    DeploymentStatus status = new DeploymentStatusBuilder(Objects.requireNonNullElse(deployment.getStatus(), new DeploymentStatus()))
                            .withCollisionCount(collisions + 1).build();
                    Deployment copy = TemplateHash.SERIALIZATION.clone(deployment);
                    copy.setStatus(status);
                    writer.updateStatus(copy);
                }
                throw e;
            }
            acted = true;
            events.normal(deployment, "ScalingReplicaSet", "Scaled up replica set " + newest.getMetadata().getName() + " from 0 to " + replicas);
            annotateDeploymentRevision(Long.toString(revision));
        }

        private void scale(ReplicaSet rs, int replicas) {
            int before = replicas(rs);
            ReplicaSet copy = TemplateHash.SERIALIZATION.clone(rs);
            copy.getSpec().setReplicas(replicas);
            Map<String, String> annotations = annotations(copy.getMetadata().getAnnotations(), copy);
            annotations.put(DESIRED_REPLICAS, Integer.toString(desired()));
            annotations.put(MAX_REPLICAS, Integer.toString(desired() + maxSurge()));
            ReplicaSet updated = writer.update(copy);
            if (rs == newest) {
                newest = updated;
            } else {
                old.set(old.indexOf(rs), updated);
            }
            acted = true;
            events.normal(deployment, "ScalingReplicaSet", "Scaled " + (replicas > before ? "up" : "down") + " replica set "
                    + rs.getMetadata().getName() + " from " + before + " to " + replicas);
        }

        private void pruneHistory() {
            int limit = Objects.requireNonNullElse(deployment.getSpec().getRevisionHistoryLimit(), 10);
            List<ReplicaSet> idle = old.stream().filter(rs -> replicas(rs) == 0 && statusReplicas(rs) == 0
                            && rs.getMetadata().getDeletionTimestamp() == null)
                    .sorted(Comparator.comparingLong(DeploymentReconciler::revision)).toList();
            for (ReplicaSet rs : idle.subList(0, Math.max(0, idle.size() - limit))) {
                writer.delete(rs, ObjectWriter.Deletion.BACKGROUND);
                old.remove(rs);
            }
        }

        private List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(old);
            if (newest != null) {
                all.add(newest);
            }
            return all;
        }

        private int desired() {
            return Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        }

        private int maxSurge() {
            return RollingBudget.of(deployment).maxSurge();
        }

        private int maxUnavailable() {
            return RollingBudget.of(deployment).maxUnavailable();
        }

        private int collisionCount() {
            return deployment.getStatus() == null ? 0 : Objects.requireNonNullElse(deployment.getStatus().getCollisionCount(), 0);
        }

        private boolean complete() {
            DeploymentStatus status = deployment.getStatus();
            return newest != null && status != null && old.stream().allMatch(rs -> replicas(rs) == 0)
                    && statusReplicas(newest) == desired() && available(newest) == desired() && replicas(newest) == desired();
        }

        private Result writeStatus() {
            DeploymentStatus current = Objects.requireNonNullElse(deployment.getStatus(), new DeploymentStatus());
            List<ReplicaSet> all = all();
            int specTotal = all.stream().mapToInt(DeploymentReconciler::replicas).sum();
            int available = all.stream().mapToInt(DeploymentReconciler::available).sum();
            DeploymentStatusBuilder next = new DeploymentStatusBuilder(current)
                    .withObservedGeneration(deployment.getMetadata().getGeneration())
                    .withReplicas(all.stream().mapToInt(DeploymentReconciler::statusReplicas).sum())
                    .withUpdatedReplicas(newest == null ? 0 : statusReplicas(newest))
                    .withReadyReplicas(all.stream().mapToInt(rs -> zero(rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas())).sum())
                    .withAvailableReplicas(available)
                    .withUnavailableReplicas(Math.max(0, specTotal - available));
            DeploymentStatus draft = next.build();
            List<DeploymentCondition> conditions = new ArrayList<>(Objects.requireNonNullElse(current.getConditions(), List.of()));
            boolean minimumAvailable = available >= desired() - maxUnavailable();
            setCondition(conditions, "Available", minimumAvailable ? "True" : "False",
                    minimumAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                    minimumAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability.");
            Result result = Result.DONE;
            String rsName = newest == null ? "" : newest.getMetadata().getName();
            Optional<DeploymentCondition> progressing = conditions.stream().filter(c -> c.getType().equals("Progressing")).findFirst();
            if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
                setCondition(conditions, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
            } else if (completeWith(draft)) {
                setCondition(conditions, "Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet \"" + rsName + "\" has successfully progressed.");
            } else if (acted || progressed(current, draft) || progressing.isEmpty()
                    || progressing.get().getReason().equals("DeploymentPaused") || progressing.get().getReason().equals("NewReplicaSetAvailable")) {
                setCondition(conditions, "Progressing", "True", "ReplicaSetUpdated", "ReplicaSet \"" + rsName + "\" is progressing.");
                result = untilDeadline(Instant.now(clock));
            } else {
                Instant since = Instant.parse(progressing.get().getLastUpdateTime());
                if (!"ProgressDeadlineExceeded".equals(progressing.get().getReason())) {
                    if (!since.plus(deadline()).isAfter(now)) {
                        setCondition(conditions, "Progressing", "False", "ProgressDeadlineExceeded",
                                "ReplicaSet \"" + rsName + "\" has timed out progressing.");
                    } else {
                        result = untilDeadline(since);
                    }
                }
            }
            DeploymentStatus status = next.withConditions(conditions).build();
            if (!status.equals(current)) {
                Deployment copy = TemplateHash.SERIALIZATION.clone(deployment);
                copy.setStatus(status);
                deployment = writer.updateStatus(copy);
            }
            return result;
        }

        private Duration deadline() {
            return Duration.ofSeconds(Objects.requireNonNullElse(deployment.getSpec().getProgressDeadlineSeconds(), 600));
        }

        private Result untilDeadline(Instant since) {
            Duration left = Duration.between(now, since.plus(deadline()));
            return Result.requeueAfter(left.isNegative() ? Duration.ZERO : left.plusSeconds(1));
        }

        private boolean completeWith(DeploymentStatus status) {
            return zero(status.getUpdatedReplicas()) == desired() && zero(status.getReplicas()) == desired()
                    && zero(status.getAvailableReplicas()) == desired();
        }

        private boolean progressed(DeploymentStatus before, DeploymentStatus after) {
            return zero(after.getUpdatedReplicas()) > zero(before.getUpdatedReplicas())
                    || zero(after.getReplicas()) - zero(after.getUpdatedReplicas()) < zero(before.getReplicas()) - zero(before.getUpdatedReplicas())
                    || zero(after.getReadyReplicas()) > zero(before.getReadyReplicas())
                    || zero(after.getAvailableReplicas()) > zero(before.getAvailableReplicas());
        }

        private void setCondition(List<DeploymentCondition> conditions, String type, String status, String reason, String message) {
            String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
            for (int i = 0; i < conditions.size(); i++) {
                DeploymentCondition existing = conditions.get(i);
                if (existing.getType().equals(type)) {
                    if (existing.getStatus().equals(status) && existing.getReason().equals(reason) && existing.getMessage().equals(message)
                            && !(type.equals("Progressing") && reason.equals("ReplicaSetUpdated") && (acted))) {
                        return;
                    }
                    String transition = existing.getStatus().equals(status) ? existing.getLastTransitionTime() : time;
                    conditions.set(i, new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                            .withMessage(message).withLastUpdateTime(time).withLastTransitionTime(transition).build());
                    return;
                }
            }
            conditions.add(new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                    .withLastUpdateTime(time).withLastTransitionTime(time).build());
        }
    }

    private static Map<String, String> annotations(Map<String, String> existing, ReplicaSet owner) {
        Map<String, String> annotations = existing == null ? new HashMap<>() : new HashMap<>(existing);
        owner.getMetadata().setAnnotations(annotations);
        return annotations;
    }

    static int replicas(ReplicaSet rs) {
        return Objects.requireNonNullElse(rs.getSpec().getReplicas(), 1);
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : zero(rs.getStatus().getReplicas());
    }

    static int available(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : zero(rs.getStatus().getAvailableReplicas());
    }

    static long revision(ReplicaSet rs) {
        Map<String, String> annotations = rs.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(REVISION)) {
            return 0;
        }
        try {
            return Long.parseLong(annotations.get(REVISION));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }
}
