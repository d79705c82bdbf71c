package dev.slipway.controlplane.scheduler;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Scheduling throughput on an in-memory cluster (not a test): 1000 nodes (3 tainted masters, two
 * zones, three sizes) and 5000 pods of 50 ReplicaSets with requests, some with a node selector.
 * Measures the pure decision loop over every node ({@link Placement#decide} plus assume) and the whole
 * {@link PodScheduler#reconcile} path (which filters only until {@link Placement#enoughFeasible} nodes
 * fit) with binding through a fake that confirms each binding into the cache as the informer would.
 *
 * <pre>
 * mvn -q -Dbuild.suffix=-bench -pl control-plane -am test-compile -Dsurefire.failIfNoSpecifiedTests=false
 * mvn -q -Dbuild.suffix=-bench -pl control-plane dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp
 * java -cp control-plane/target-bench/test-classes:control-plane/target-bench/classes:$(cat /tmp/cp) \
 *     dev.slipway.controlplane.scheduler.SchedulerBenchmark [nodes=1000] [pods=5000]
 * </pre>
 */
public final class SchedulerBenchmark {

    private static final int ROUNDS = 3;

    private SchedulerBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        int nodeCount = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 1000;
        int podCount = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 5000;
        List<Node> nodes = nodes(nodeCount);
        List<Pod> pods = pods(podCount);
        System.out.printf("scheduler benchmark: %d nodes, %d pods, %d rounds after a warm-up%n", nodeCount, podCount, ROUNDS);
        decisionLoop(nodes, pods);
        for (int round = 1; round <= ROUNDS; round++) {
            System.out.printf("round %d: decision loop over all nodes %,.0f pods/s; reconcile (searching until %d nodes fit) with fake"
                    + " binding %,.0f pods/s%n", round, decisionLoop(nodes, pods), Placement.enoughFeasible(nodes.size()), reconcileLoop(nodes, pods));
        }
    }

    /** Decide over every node and assume. */
    private static double decisionLoop(List<Node> nodes, List<Pod> pods) {
        SchedulerCache cache = cacheWith(nodes);
        SplittableRandom random = new SplittableRandom(1);
        long start = System.nanoTime();
        int bound = 0;
        for (Pod pod : pods) {
            PodDemand demand = PodDemand.of(pod);
            if (Placement.decide(demand, cache.snapshot(), random) instanceof Placement.Decision.Bind bind) {
                cache.assume(demand, bind.node());
                bound++;
            }
        }
        return rate(pods.size(), start, bound);
    }

    private static double reconcileLoop(List<Node> nodes, List<Pod> pods) throws Exception {
        SchedulerCache cache = cacheWith(nodes);
        Map<ObjectRef, Pod> byKey = new HashMap<>();
        pods.forEach(pod -> byKey.put(ObjectRef.of(pod), pod));
        int[] bound = {0};
        Binder confirming = new Binder() {
            @Override
            public void bind(Pod pod, String node) {
                cache.putPod(new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build());
                bound[0]++;
            }

            @Override
            public void markUnschedulable(Pod pod, String message) {
            }
        };
        Lister<Pod> lister = new Lister<>() {
            @Override
            public Optional<Pod> get(ObjectRef ref) {
                return Optional.ofNullable(byKey.get(ref));
            }

            @Override
            public List<Pod> list(String namespace) {
                return List.copyOf(byKey.values());
            }
        };
        PodScheduler scheduler = new PodScheduler(lister, cache, confirming, new SplittableRandom(1));
        long start = System.nanoTime();
        for (Pod pod : pods) {
            scheduler.reconcile(ObjectRef.of(pod));
        }
        return rate(pods.size(), start, bound[0]);
    }

    private static double rate(int pods, long start, int bound) {
        double seconds = (System.nanoTime() - start) / 1e9;
        if (bound != pods) {
            System.out.printf("  (%d of %d pods found no node)%n", pods - bound, pods);
        }
        return pods / seconds;
    }

    private static SchedulerCache cacheWith(List<Node> nodes) {
        SchedulerCache cache = new SchedulerCache();
        nodes.forEach(cache::putNode);
        return cache;
    }

    private static List<Node> nodes(int count) {
        List<Node> nodes = new ArrayList<>(count);
        String[][] sizes = {{"4", "16Gi"}, {"8", "32Gi"}, {"16", "64Gi"}};
        for (int i = 0; i < count; i++) {
            String[] size = sizes[i % sizes.length];
            var node = ClusterObjects.node("node-" + i, size[0], size[1]).editMetadata().addToLabels("zone", i % 2 == 0 ? "a" : "b").endMetadata();
            if (i < 3) {
                node = ClusterObjects.taint(node, "node-role.kubernetes.io/control-plane", "", "NoSchedule");
            }
            nodes.add(node.build());
        }
        return nodes;
    }

    private static List<Pod> pods(int count) {
        List<Pod> pods = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            var pod = ClusterObjects.ownedBy(ClusterObjects.pod("pod-" + i, (100 + (i % 5) * 100) + "m", (128 + (i % 4) * 128) + "Mi"),
                    "rs-" + (i % 50));
            if (i % 10 == 0) {
                pod = pod.editSpec().addToNodeSelector("zone", "a").endSpec();
            }
            pods.add(pod.build());
        }
        return pods;
    }
}
