package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' pod garbage collector, for the pods no kubelet will ever finish: a pod bound to a node
 * that no longer exists (an operator deleted the Node, or removed the worker) and a pod being deleted
 * that was never bound. Both are deleted at once (grace period 0), so their controllers make new
 * ones elsewhere and a StatefulSet's ordinal is freed. A pod's node must have been missing from the
 * cache for {@link #QUARANTINE}, and then from a live read, before the pod goes: a Node re-registered
 * under the same name, or a cache that is behind, keeps its pods.
 */
final class PodGarbageCollector implements Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(PodGarbageCollector.class);

    /** How long a pod's node must stay missing before the pod is deleted (Kubernetes' podgc waits as long). */
    static final Duration QUARANTINE = Duration.ofSeconds(40);

    /** Whether a Node exists, read from the API server rather than a cache. */
    interface NodeLookup {
        boolean exists(String name);
    }

    private final Lister<Pod> pods;
    private final Lister<Node> nodes;
    private final NodeLookup live;
    private final ObjectWriter writer;
    private final Clock clock;
    /** When each pod was first seen bound to a missing node. */
    private final Map<ObjectRef, Instant> orphanedSince = new ConcurrentHashMap<>();

    PodGarbageCollector(Lister<Pod> pods, Lister<Node> nodes, NodeLookup live, ObjectWriter writer, Clock clock) {
        this.pods = pods;
        this.nodes = nodes;
        this.live = live;
        this.writer = writer;
        this.clock = clock;
    }

    /** The pods bound to {@code node}: what to look at again when that Node is deleted. */
    List<ObjectRef> podsOn(Node node) {
        String name = node.getMetadata().getName();
        return pods.list("").stream().filter(pod -> name.equals(nodeName(pod))).map(ObjectRef::of).toList();
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Pod pod = pods.get(key).orElse(null);
        if (pod == null) {
            orphanedSince.remove(key);
            return Result.DONE;
        }
        String node = nodeName(pod);
        if (node.isEmpty()) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                LOG.info("deleting pod {} now: it is being deleted and was never bound to a node", key);
                writer.delete(pod, ObjectWriter.Deletion.IMMEDIATE);
            }
            return Result.DONE;
        }
        if (nodes.get(new ObjectRef("", node)).isPresent()) {
            orphanedSince.remove(key);
            return Result.DONE;
        }
        Instant now = clock.instant();
        Duration left = Duration.between(now, orphanedSince.computeIfAbsent(key, ref -> now).plus(QUARANTINE));
        if (left.isPositive()) {
            return Result.requeueAfter(left);
        }
        orphanedSince.remove(key);
        if (live.exists(node)) {
            return Result.DONE; // the cache was behind; the Node's events will bring the pod back here if it goes
        }
        LOG.info("deleting pod {} now: its node {} no longer exists", key, node);
        writer.delete(pod, ObjectWriter.Deletion.IMMEDIATE);
        return Result.DONE;
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }
}
