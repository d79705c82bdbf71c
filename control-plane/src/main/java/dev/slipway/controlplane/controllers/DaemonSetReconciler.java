package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pod of a DaemonSet on every eligible node (Ready, schedulable, matching the node selector and
 * required node affinity, every NoSchedule/NoExecute taint tolerated), bound directly with
 * {@code spec.nodeName}. Follows nodes as they come and go; replaces out-of-date pods at most
 * maxUnavailable at a time.
 */
final class DaemonSetReconciler implements Reconciler {

    static final String REVISION = "controller-revision-hash";

    private final Lister<DaemonSet> daemonSets;
    private final Lister<Pod> pods;
    private final Lister<Node> nodes;
    private final ObjectWriter writer;
    private final EventRecorder events;
    private final Clock clock;

    DaemonSetReconciler(Lister<DaemonSet> daemonSets, Lister<Pod> pods, Lister<Node> nodes, ObjectWriter writer, EventRecorder events,
                        Clock clock) {
        this.daemonSets = daemonSets;
        this.pods = pods;
        this.nodes = nodes;
        this.writer = writer;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<DaemonSet> found = daemonSets.get(key);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        DaemonSet set = found.get();
        String revision = TemplateHash.of(set.getSpec().getTemplate(), 0);
        Map<String, Node> nodesByName = new HashMap<>();
        nodes.list("").forEach(node -> nodesByName.put(node.getMetadata().getName(), node));
        Map<String, List<Pod>> podsByNode = new HashMap<>();
        for (Pod pod : pods.list(key.namespace())) {
            if (Ownership.isControlledBy(pod, set) && !PodState.isTerminating(pod)) {
                podsByNode.computeIfAbsent(Objects.requireNonNullElse(pod.getSpec().getNodeName(), ""), n -> new ArrayList<>()).add(pod);
            }
        }
        if (set.getMetadata().getDeletionTimestamp() == null) {
            manage(set, revision, nodesByName, podsByNode);
        }
        writeStatus(set, revision, nodesByName, podsByNode);
        return Result.DONE;
    }

    static boolean shouldRun(Node node, PodSpec spec) {
        if (Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())) {
            return false;
        }
        boolean ready = node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()));
        if (!ready) {
            return false;
        }
        Map<String, String> labels = Objects.requireNonNullElse(node.getMetadata().getLabels(), Map.of());
        if (spec.getNodeSelector() != null && !labels.entrySet().containsAll(spec.getNodeSelector().entrySet())) {
            return false;
        }
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null
                && spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            List<NodeSelectorTerm> terms = spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms();
            if (terms != null && !terms.isEmpty() && terms.stream().noneMatch(term -> termMatches(term, node, labels))) {
                return false;
            }
        }
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = Objects.requireNonNullElse(spec.getTolerations(), List.of());
        return taints.stream().filter(taint -> !"PreferNoSchedule".equals(taint.getEffect()))
                .allMatch(taint -> tolerations.stream().anyMatch(toleration -> tolerates(toleration, taint)));
    }

    private static boolean termMatches(NodeSelectorTerm term, Node node, Map<String, String> labels) {
        boolean expressions = term.getMatchExpressions() == null
                || term.getMatchExpressions().stream().allMatch(requirement -> LabelSelectors.matches(requirement, labels));
        boolean fields = term.getMatchFields() == null || term.getMatchFields().stream()
                .allMatch(requirement -> LabelSelectors.matches(requirement, Map.of("metadata.name", node.getMetadata().getName())));
        return expressions && fields;
    }

    static boolean tolerates(Toleration toleration, Taint taint) {
        if (toleration.getEffect() != null && !toleration.getEffect().isEmpty() && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if ("Exists".equals(toleration.getOperator())) {
            return toleration.getKey() == null || toleration.getKey().isEmpty() || toleration.getKey().equals(taint.getKey());
        }
        return Objects.equals(toleration.getKey(), taint.getKey())
                && Objects.equals(Objects.requireNonNullElse(toleration.getValue(), ""), Objects.requireNonNullElse(taint.getValue(), ""));
    }

    private void manage(DaemonSet set, String revision, Map<String, Node> nodesByName, Map<String, List<Pod>> podsByNode) {
        PodSpec spec = set.getSpec().getTemplate().getSpec();
        int unavailableOld = 0;
        List<Pod> outdated = new ArrayList<>();
        for (Node node : nodesByName.values()) {
            String nodeName = node.getMetadata().getName();
            List<Pod> here = podsByNode.getOrDefault(nodeName, List.of());
            if (shouldRun(node, spec)) {
                if (here.isEmpty()) {
                    Pod created = writer.create(podFor(set, nodeName, revision));
                    events.normal(set, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
                    continue;
                }
                for (Pod extra : here.subList(1, here.size())) {
                    delete(set, extra, ObjectWriter.Deletion.BACKGROUND);
                }
                Pod pod = here.getFirst();
                if ("Failed".equals(PodState.phase(pod))) {
                    delete(set, pod, ObjectWriter.Deletion.BACKGROUND);
                } else if (!revision.equals(revisionOf(pod))) {
                    outdated.add(pod);
                } else if (!PodState.isAvailable(pod, minReady(set), clock.instant())) {
                    unavailableOld++; // an updated pod that is not available yet uses up the budget too
                }
            } else {
                here.forEach(pod -> delete(set, pod, ObjectWriter.Deletion.BACKGROUND));
            }
        }
        podsByNode.forEach((nodeName, stray) -> {
            if (!nodesByName.containsKey(nodeName)) {
                // The node is gone, so no kubelet will finish a graceful delete.
                stray.forEach(pod -> delete(set, pod, ObjectWriter.Deletion.IMMEDIATE));
            }
        });
        rollOut(set, outdated, unavailableOld, (int) nodesByName.values().stream().filter(node -> shouldRun(node, spec)).count());
    }

    /** Replaces out-of-date pods, unavailable ones first, keeping at most maxUnavailable nodes without an available pod. */
    private void rollOut(DaemonSet set, List<Pod> outdated, int unavailable, int desired) {
        var strategy = set.getSpec().getUpdateStrategy();
        if (outdated.isEmpty() || (strategy != null && "OnDelete".equals(strategy.getType()))) {
            return;
        }
        var maxUnavailableValue = strategy == null || strategy.getRollingUpdate() == null ? null : strategy.getRollingUpdate().getMaxUnavailable();
        int maxUnavailable = maxUnavailableValue == null ? 1
                : Math.max(1, IntOrPercent.resolve(maxUnavailableValue, desired, true, "spec.updateStrategy.rollingUpdate.maxUnavailable"));
        Instant now = clock.instant();
        int budget = maxUnavailable - unavailable;
        for (Pod pod : outdated) {
            if (!PodState.isAvailable(pod, minReady(set), now)) {
                delete(set, pod, ObjectWriter.Deletion.BACKGROUND); // already unavailable: replacing it costs nothing
                budget--;
            }
        }
        for (Pod pod : outdated) {
            if (budget <= 0) {
                return;
            }
            if (PodState.isAvailable(pod, minReady(set), now)) {
                delete(set, pod, ObjectWriter.Deletion.BACKGROUND);
                budget--;
            }
        }
    }

    private void delete(DaemonSet set, Pod pod, ObjectWriter.Deletion deletion) {
        writer.delete(pod, deletion);
        events.normal(set, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
    }

    private static int minReady(DaemonSet set) {
        return Objects.requireNonNullElse(set.getSpec().getMinReadySeconds(), 0);
    }

    private static String revisionOf(Pod pod) {
        return pod.getMetadata().getLabels() == null ? "" : pod.getMetadata().getLabels().getOrDefault(REVISION, "");
    }

    private static Pod podFor(DaemonSet set, String nodeName, String revision) {
        var template = TemplateHash.SERIALIZATION.clone(set.getSpec().getTemplate());
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null ? Map.of()
                : Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of()));
        labels.put(REVISION, revision);
        PodSpec spec = template.getSpec();
        spec.setNodeName(nodeName);
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(set.getMetadata().getNamespace())
                        .withGenerateName(set.getMetadata().getName() + "-").withLabels(labels)
                        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                        .withOwnerReferences(Ownership.controllerReference(set)).build())
                .withSpec(spec).build();
    }

    private void writeStatus(DaemonSet set, String revision, Map<String, Node> nodesByName, Map<String, List<Pod>> podsByNode) {
        PodSpec spec = set.getSpec().getTemplate().getSpec();
        Instant now = clock.instant();
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        for (Node node : nodesByName.values()) {
            List<Pod> here = podsByNode.getOrDefault(node.getMetadata().getName(), List.of());
            boolean run = shouldRun(node, spec);
            if (run) {
                desired++;
                if (!here.isEmpty()) {
                    current++;
                    Pod pod = here.getFirst();
                    ready += PodState.isReady(pod) ? 1 : 0;
                    available += PodState.isAvailable(pod, minReady(set), now) ? 1 : 0;
                    updated += revision.equals(revisionOf(pod)) ? 1 : 0;
                }
            } else if (!here.isEmpty()) {
                misscheduled++;
            }
        }
        DaemonSetStatus before = Objects.requireNonNullElse(set.getStatus(), new DaemonSetStatus());
        DaemonSetStatus next = new DaemonSetStatusBuilder(before).withObservedGeneration(set.getMetadata().getGeneration())
                .withDesiredNumberScheduled(desired).withCurrentNumberScheduled(current).withNumberMisscheduled(misscheduled)
                .withNumberReady(ready).withNumberAvailable(available).withNumberUnavailable(desired - available)
                .withUpdatedNumberScheduled(updated).build();
        if (!next.equals(before)) {
            DaemonSet copy = TemplateHash.SERIALIZATION.clone(set);
            copy.setStatus(next);
            writer.updateStatus(copy);
        }
    }
}
