package dev.slipway.controlplane.controllers.nodelifecycle;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import dev.slipway.controlplane.scheduler.Tolerations;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Watches one node's heartbeat. A node whose Lease has not changed for the grace period turns
 * {@code Ready=Unknown} and gets the {@code unreachable:NoExecute} taint; its pods that do not
 * tolerate the taint are deleted once the eviction timeout (or their own {@code tolerationSeconds})
 * has passed since the taint was added. When the Lease moves again, the taint goes.
 */
final class NodeLifecycleReconciler implements Reconciler {

    static final String LEASE_NAMESPACE = "kube-node-lease";
    static final Taint UNREACHABLE = new TaintBuilder().withKey("node.kubernetes.io/unreachable").withEffect("NoExecute").build();

    /** The informer's event about our own write usually comes first; this is the fallback. */
    private static final Duration AFTER_WRITE = Duration.ofSeconds(1);

    private final Lister<Node> nodes;
    private final Lister<Lease> leases;
    private final Lister<Pod> pods;
    private final LifecycleActions actions;
    private final NodeLifecycleController.Settings settings;
    private final Clock clock;
    private final Heartbeats heartbeats = new Heartbeats();

    NodeLifecycleReconciler(Lister<Node> nodes, Lister<Lease> leases, Lister<Pod> pods, LifecycleActions actions,
                            NodeLifecycleController.Settings settings, Clock clock) {
        this.nodes = nodes;
        this.leases = leases;
        this.pods = pods;
        this.actions = actions;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<Node> found = nodes.get(new ObjectRef("", key.name()));
        if (found.isEmpty()) {
            heartbeats.forget(key.name());
            return Result.DONE;
        }
        Node node = found.get();
        Instant now = clock.instant();
        String renewTime = leases.get(new ObjectRef(LEASE_NAMESPACE, key.name()))
                .map(lease -> lease.getSpec() == null || lease.getSpec().getRenewTime() == null ? "" : lease.getSpec().getRenewTime().toString())
                .orElse("");
        Instant heard = heartbeats.observe(key.name(), renewTime, now);
        Instant staleAt = heard.plus(settings.gracePeriod());
        Optional<Taint> taint = unreachableTaint(node);
        if (now.isBefore(staleAt)) {
            if (taint.isPresent()) {
                actions.removeUnreachableTaint(node);
            }
            return Result.requeueAfter(Duration.between(now, staleAt));
        }
        // One write per pass: each changes the node's resourceVersion, and the next pass reads the result.
        if (!readyIsUnknown(node)) {
            actions.markReadyUnknown(node, now);
            return Result.requeueAfter(AFTER_WRITE);
        }
        if (taint.isEmpty()) {
            actions.addUnreachableTaint(node, now);
            return Result.requeueAfter(AFTER_WRITE);
        }
        return evictDue(key.name(), timeAdded(taint.get()).orElse(heard.plus(settings.gracePeriod())), now);
    }

    /** Deletes the pods whose time is up; asks to come back when the next one's is. */
    private Result evictDue(String node, Instant taintedAt, Instant now) {
        Result next = Result.DONE;
        for (Pod pod : pods.list("")) {
            if (pod.getSpec() == null || !node.equals(pod.getSpec().getNodeName()) || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Optional<Duration> delay = evictionDelay(pod, settings.evictionTimeout());
            if (delay.isEmpty()) {
                continue;
            }
            Instant due = taintedAt.plus(delay.get());
            if (!now.isBefore(due)) {
                actions.evict(pod, node);
            } else {
                next = next.sooner(Result.requeueAfter(Duration.between(now, due)));
            }
        }
        return next;
    }

    /**
     * How long a pod may stay on an unreachable node: the eviction timeout when it does not tolerate
     * the taint, its {@code tolerationSeconds} when it tolerates it for a while, forever (empty) when
     * it tolerates it without a limit.
     */
    static Optional<Duration> evictionDelay(Pod pod, Duration evictionTimeout) {
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        Optional<Toleration> toleration = Tolerations.find(tolerations, UNREACHABLE);
        if (toleration.isEmpty()) {
            return Optional.of(evictionTimeout);
        }
        Long seconds = toleration.get().getTolerationSeconds();
        return seconds == null ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
    }

    static Optional<Taint> unreachableTaint(Node node) {
        if (node.getSpec() == null || node.getSpec().getTaints() == null) {
            return Optional.empty();
        }
        return node.getSpec().getTaints().stream()
                .filter(taint -> UNREACHABLE.getKey().equals(taint.getKey()) && UNREACHABLE.getEffect().equals(taint.getEffect())).findFirst();
    }

    private static Optional<Instant> timeAdded(Taint taint) {
        try {
            return taint.getTimeAdded() == null ? Optional.empty() : Optional.of(Instant.parse(taint.getTimeAdded()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static boolean readyIsUnknown(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        return node.getStatus().getConditions().stream().filter(condition -> "Ready".equals(condition.getType()))
                .map(NodeCondition::getStatus).anyMatch("Unknown"::equals);
    }
}
