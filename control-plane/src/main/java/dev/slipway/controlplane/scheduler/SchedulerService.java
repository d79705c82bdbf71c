package dev.slipway.controlplane.scheduler;

import dev.slipway.controlplane.controller.Controller;
import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.controller.LeaderElection;
import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler a master runs in-process, active on one master at a time (the holder of the
 * {@code kube-system/kube-scheduler} Lease). While leading it keeps a {@link SchedulerCache} from
 * node and pod informers and schedules pending pods with {@link PodScheduler}; losing the lease
 * stops it, winning it again starts afresh with a new cache. {@link #start} returns the
 * {@link LeaderElectedService} that contends and runs it.
 */
public final class SchedulerService {

    /**
     * Breaks ties between equally good nodes. It needs no cryptographic strength, and a SecureRandom
     * (NativePRNG) reads /dev/urandom under one lock per call: with a thousand alike nodes the workers
     * drew hundreds of numbers per pod from it. Each thread draws from its own generator.
     */
    private static final RandomGenerator TIE_BREAKER = () -> ThreadLocalRandom.current().nextLong();

    /**
     * Who this scheduler is (unique per master, e.g. the host name), its lease, and how many pods it binds at once.
     * Decisions are taken one at a time whatever the number of workers; the workers let bindings (one API write each)
     * overlap with each other and with the next decisions, as kube-scheduler's binding cycles run beside its scheduling cycle.
     */
    public record Settings(String identity, String leaseNamespace, String leaseName, int workers) {
        /** Bindings in flight by default: enough to hide an API write's latency behind decisions of about a millisecond. */
        public static final int WORKERS = 16;

        public static Settings of(String identity) {
            return new Settings(identity, "kube-system", "kube-scheduler", WORKERS);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(SchedulerService.class);
    private static final String NAME = "scheduler";
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

    private SchedulerService() {}

    /** Starts contending for the lease with the standard timings (15 s lease, 10 s renew deadline, 2 s retry). */
    public static LeaderElectedService start(KubernetesClient client, Settings settings) {
        return start(client, settings, LeaderElection.Settings.standard(settings.leaseNamespace(), settings.leaseName(), settings.identity()));
    }

    public static LeaderElectedService start(KubernetesClient client, Settings settings, LeaderElection.Settings lease) {
        return LeaderElectedService.start(NAME, client, lease, api -> new Running(api, settings));
    }

    /** Informers, cache and queue of one term as leader. */
    private static final class Running implements LeaderElectedService.Term {
        private final Settings settings;
        private final SchedulerCache cache = new SchedulerCache();
        private final SharedIndexInformer<Pod> pods;
        private final SharedIndexInformer<Node> nodes;
        private final PodScheduler scheduler;
        private final Controller controller;
        private volatile boolean closed;

        Running(KubernetesClient client, Settings settings) {
            this.settings = settings;
            this.pods = client.pods().inAnyNamespace().runnableInformer(0);
            this.nodes = client.nodes().runnableInformer(0);
            this.scheduler = new PodScheduler(Lister.of(pods), cache, new Fabric8Binder(client, Clock.systemUTC()), TIE_BREAKER);
            this.controller = new Controller("scheduler", scheduler, settings.workers());
        }

        @Override
        public void start() {
            nodes.addEventHandler(new NodeEvents());
            pods.addEventHandler(new PodEvents());
            try {
                CompletableFuture.allOf(nodes.start().toCompletableFuture(), pods.start().toCompletableFuture())
                        .get(SYNC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the scheduler's caches did not sync within " + SYNC_TIMEOUT + ": " + e, e);
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                controller.start();
            }
            log.info("{} schedules pods on {} nodes", settings.identity(), cache.snapshot().size());
        }

        @Override
        public CompletionStage<Void> failure() {
            return LeaderElectedService.Term.firstFailure(List.of(pods, nodes));
        }

        private void retryUnschedulable() {
            scheduler.unschedulable().forEach(controller::enqueue);
        }

        @Override
        public synchronized void close() {
            closed = true;
            controller.close();
            pods.close();
            nodes.close();
            log.info("{} stopped scheduling", settings.identity());
        }

        private final class NodeEvents implements ResourceEventHandler<Node> {
            @Override
            public void onAdd(Node node) {
                cache.putNode(node);
                retryUnschedulable();
            }

            @Override
            public void onUpdate(Node before, Node after) {
                cache.putNode(after);
                if (mayFitMore(before, after)) {
                    retryUnschedulable();
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                cache.removeNode(node.getMetadata().getName());
            }

            /** Heartbeats change a node every few seconds; only changes a filter reads are worth a retry. */
            private static boolean mayFitMore(Node before, Node after) {
                return NodeFilter.isReady(before) != NodeFilter.isReady(after)
                        || !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                        || !Objects.equals(before.getSpec(), after.getSpec())
                        || !Objects.equals(before.getStatus() == null ? null : before.getStatus().getAllocatable(),
                        after.getStatus() == null ? null : after.getStatus().getAllocatable());
            }
        }

        private final class PodEvents implements ResourceEventHandler<Pod> {
            @Override
            public void onAdd(Pod pod) {
                cache.putPod(pod);
                if (PodScheduler.isPending(pod)) {
                    controller.enqueue(ObjectRef.of(pod));
                }
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                cache.putPod(after);
                if (PodScheduler.isPending(after)) {
                    controller.enqueue(ObjectRef.of(after));
                } else if (isBound(before) && isFinished(after)) {
                    retryUnschedulable();
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                cache.removePod(pod.getMetadata().getUid());
                if (isBound(pod)) {
                    retryUnschedulable();
                }
            }

            private static boolean isBound(Pod pod) {
                return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
            }

            private static boolean isFinished(Pod pod) {
                String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
                return phase.equals("Succeeded") || phase.equals("Failed");
            }
        }
    }
}
