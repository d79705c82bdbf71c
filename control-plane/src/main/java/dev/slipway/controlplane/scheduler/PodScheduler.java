package dev.slipway.controlplane.scheduler;

import dev.slipway.controlplane.Backoff;
import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Schedules one pending pod per call: decides on a snapshot of the cache and assumes the pod on
 * the chosen node under one lock (so parallel workers never share out the same free capacity),
 * then binds outside it. In a large cluster a decision filters nodes only until enough fit
 * ({@link Placement#enoughFeasible}), and the next decision starts where this one stopped. A pod no node fits is marked unschedulable and tried again later, sooner
 * when {@link #unschedulable()} pods are re-queued because nodes or pods changed.
 */
public final class PodScheduler implements Reconciler {

    /** Pods with an empty {@code schedulerName} are defaulted to this one by the API server. */
    public static final Set<String> SCHEDULER_NAMES = Set.of("default-scheduler", "slipway", "");
    static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    private final Lister<Pod> pods;
    private final SchedulerCache cache;
    private final Binder binder;
    private final RandomGenerator random;
    private final Object decisions = new Object();
    private final Map<ObjectRef, Integer> unschedulable = new ConcurrentHashMap<>();
    /** Where the next search starts, so that successive pods look at different nodes first (guarded by {@code decisions}). */
    private int nextStart;

    public PodScheduler(Lister<Pod> pods, SchedulerCache cache, Binder binder, RandomGenerator random) {
        this.pods = pods;
        this.cache = cache;
        this.binder = binder;
        this.random = random;
    }

    /** Unbound, not being deleted, not finished, and meant for this scheduler. */
    public static boolean isPending(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec() == null) {
            return false;
        }
        String node = pod.getSpec().getNodeName();
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
        String scheduler = pod.getSpec().getSchedulerName() == null ? "" : pod.getSpec().getSchedulerName();
        return (node == null || node.isEmpty()) && !phase.equals("Succeeded") && !phase.equals("Failed") && SCHEDULER_NAMES.contains(scheduler);
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Pod pod = pods.get(key).filter(PodScheduler::isPending).orElse(null);
        if (pod == null) {
            unschedulable.remove(key);
            return Result.DONE;
        }
        PodDemand demand = PodDemand.of(pod);
        Placement.Decision decision;
        synchronized (decisions) {
            if (cache.isPlaced(demand.uid())) {
                return Result.DONE; // bound or being bound; the informer has not caught up yet
            }
            List<NodeInfo> nodes = cache.snapshot();
            int start = nodes.isEmpty() ? 0 : nextStart % nodes.size();
            Placement.Search search = Placement.search(demand, nodes, start, Placement.enoughFeasible(nodes.size()), random);
            nextStart = nodes.isEmpty() ? 0 : (start + search.examined()) % nodes.size();
            decision = search.decision();
            if (decision instanceof Placement.Decision.Bind bind) {
                cache.assume(demand, bind.node());
            }
        }
        return switch (decision) {
            case Placement.Decision.Bind bind -> {
                try {
                    binder.bind(pod, bind.node());
                } catch (RuntimeException e) {
                    cache.forget(demand.uid());
                    throw e;
                }
                unschedulable.remove(key);
                yield Result.DONE;
            }
            case Placement.Decision.Unschedulable no -> {
                int attempts = unschedulable.merge(key, 1, Integer::sum);
                binder.markUnschedulable(pod, no.message());
                yield Result.requeueAfter(RETRY.delay(attempts));
            }
        };
    }

    /** The pods that found no node on their last try: worth trying again when the cluster changes. */
    public Set<ObjectRef> unschedulable() {
        return Set.copyOf(unschedulable.keySet());
    }
}
