package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.Controller;
import dev.slipway.controlplane.controller.LeaderElectedService;
import dev.slipway.controlplane.controller.LeaderElection;
import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controllers.nodelifecycle.NodeLifecycleController;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller manager a master runs in-process: the ReplicaSet, Deployment, StatefulSet,
 * DaemonSet, node lifecycle, pod garbage-collector and garbage-collector controllers, active on one master at a time (the holder of the
 * {@code kube-system/slipway-controller-manager} Lease). Losing the lease stops every controller
 * and its informers; winning it again starts them afresh. {@link #start} returns the
 * {@link LeaderElectedService} that contends and runs them.
 */
public final class ControllerManager {

    /** Who this manager is (unique per master, e.g. the host name), how many workers each controller gets, node lifecycle timings. */
    public record Settings(String identity, String leaseNamespace, String leaseName, int workers, NodeLifecycleController.Settings nodeLifecycle) {
        public static Settings of(String identity) {
            return new Settings(identity, "kube-system", "slipway-controller-manager", 4, NodeLifecycleController.Settings.standard());
        }

        public Settings withNodeLifecycle(NodeLifecycleController.Settings timings) {
            return new Settings(identity, leaseNamespace, leaseName, workers, timings);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);
    private static final String NAME = "controller-manager";
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SYNC_POLL = Duration.ofMillis(50);

    private ControllerManager() {}

    /** Starts contending for the lease with the standard timings (15 s lease, 10 s renew deadline, 2 s retry). */
    public static LeaderElectedService start(KubernetesClient client, Settings settings) {
        return start(client, settings, LeaderElection.Settings.standard(settings.leaseNamespace(), settings.leaseName(), settings.identity()));
    }

    public static LeaderElectedService start(KubernetesClient client, Settings settings, LeaderElection.Settings lease) {
        return LeaderElectedService.start(NAME, client, lease, api -> new Running(api, settings));
    }

    /** The informers and controllers of one term as leader. */
    private static final class Running implements LeaderElectedService.Term {
        private final KubernetesClient client;
        private final Settings settings;
        private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
        private final List<Controller> controllers = new ArrayList<>();
        private volatile boolean closed;

        Running(KubernetesClient client, Settings settings) {
            this.client = client;
            this.settings = settings;
        }

        private <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type, boolean namespaced) {
            SharedIndexInformer<T> informer = namespaced ? client.resources(type).inAnyNamespace().runnableInformer(0)
                    : client.resources(type).runnableInformer(0);
            informers.add(informer);
            return informer;
        }

        @Override
        public void start() {
            Clock clock = Clock.systemUTC();
            ObjectWriter writer = new Fabric8ObjectWriter(client);
            var pods = informer(Pod.class, true);
            var replicaSets = informer(ReplicaSet.class, true);
            var deployments = informer(Deployment.class, true);
            var statefulSets = informer(StatefulSet.class, true);
            var daemonSets = informer(DaemonSet.class, true);
            var nodes = informer(Node.class, false);
            var claims = informer(PersistentVolumeClaim.class, true);
            var configMaps = informer(ConfigMap.class, true);
            var secrets = informer(Secret.class, true);
            var services = informer(Service.class, true);
            int workers = settings.workers();

            Controller replicaSetController = new Controller("replicaset", new ReplicaSetReconciler(Lister.of(replicaSets), Lister.of(pods),
                    writer, new Fabric8EventRecorder(client, "replicaset-controller", clock), clock), workers)
                    .watch(replicaSets, Controller::self).watch(pods, Controller.controllerOf("ReplicaSet"));
            Controller deploymentController = new Controller("deployment", new DeploymentReconciler(Lister.of(deployments),
                    Lister.of(replicaSets), writer, new Fabric8EventRecorder(client, "deployment-controller", clock), clock), workers)
                    .watch(deployments, Controller::self).watch(replicaSets, Controller.controllerOf("Deployment"));
            Controller statefulSetController = new Controller("statefulset", new StatefulSetReconciler(Lister.of(statefulSets),
                    Lister.of(pods), Lister.of(claims), writer, new Fabric8EventRecorder(client, "statefulset-controller", clock), clock), workers)
                    .watch(statefulSets, Controller::self).watch(pods, Controller.controllerOf("StatefulSet"));
            Lister<DaemonSet> daemonSetLister = Lister.of(daemonSets);
            Controller daemonSetController = new Controller("daemonset", new DaemonSetReconciler(daemonSetLister, Lister.of(pods),
                    Lister.of(nodes), writer, new Fabric8EventRecorder(client, "daemonset-controller", clock), clock), workers)
                    .watch(daemonSets, Controller::self).watch(pods, Controller.controllerOf("DaemonSet"))
                    .watch(nodes, node -> daemonSetLister.list("").stream().map(ObjectRef::of).toList());
            // A live read (fabric8's get answers null for 404): a pod goes only when the API server, not a cache, lacks its node.
            PodGarbageCollector podCollector = new PodGarbageCollector(Lister.of(pods), Lister.of(nodes),
                    name -> client.nodes().withName(name).get() != null, writer, clock);
            Controller podGarbageController = new Controller("pod-garbage-collector", podCollector, 2)
                    .watch(pods, Controller::self).watchDeletions(nodes, podCollector::podsOn);
            controllers.addAll(List.of(replicaSetController, deploymentController, statefulSetController, daemonSetController,
                    podGarbageController));
            var nodeLeases = NodeLifecycleController.leaseInformer(client);
            informers.add(nodeLeases);
            controllers.add(NodeLifecycleController.create(client, nodes, nodeLeases, pods, settings.nodeLifecycle(), clock));
            controllers.addAll(garbageCollector(Map.of(
                    "v1/Pod", pods, "apps/v1/ReplicaSet", replicaSets, "apps/v1/Deployment", deployments,
                    "apps/v1/StatefulSet", statefulSets, "apps/v1/DaemonSet", daemonSets,
                    "v1/PersistentVolumeClaim", claims, "v1/ConfigMap", configMaps, "v1/Secret", secrets, "v1/Service", services), writer));

            // Synced means listed (client-go's WaitForCacheSync): start()'s future also waits for every watch to
            // open, which for a client that tries WebSocket first takes fabric8's ~19 s of retries of the server's 503.
            informers.forEach(SharedIndexInformer::start);
            long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
            while (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
                if (closed) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the controllers' caches did not sync within " + SYNC_TIMEOUT + ": "
                            + informers.stream().filter(informer -> !informer.hasSynced()).map(informer -> informer.getApiTypeClass().getSimpleName()).toList());
                }
                try {
                    Thread.sleep(SYNC_POLL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                controllers.forEach(Controller::start);
            }
            log.info("{} runs controllers {}", settings.identity(), controllers.stream().map(Controller::name).toList());
        }

        @Override
        public CompletionStage<Void> failure() {
            return LeaderElectedService.Term.firstFailure(informers);
        }

        private List<Controller> garbageCollector(Map<String, SharedIndexInformer<? extends HasMetadata>> monitored, ObjectWriter writer) {
            List<GarbageCollector.Kind> kinds = new ArrayList<>();
            monitored.forEach((id, informer) -> {
                int slash = id.lastIndexOf('/');
                kinds.add(new GarbageCollector.Kind(id.substring(0, slash), id.substring(slash + 1), Lister.of(informer)));
            });
            GarbageCollector collector = new GarbageCollector(kinds, new LiveOwnerLookup(client), writer);
            List<Controller> perKind = new ArrayList<>();
            for (GarbageCollector.Kind kind : kinds) {
                perKind.add(new Controller("garbage-collector-" + kind.kind().toLowerCase(), collector.reconcilerFor(kind), 2));
            }
            for (int i = 0; i < kinds.size(); i++) {
                GarbageCollector.Kind kind = kinds.get(i);
                Controller controller = perKind.get(i);
                for (int j = 0; j < kinds.size(); j++) {
                    watchFor(monitored.get(kinds.get(j).apiVersion() + "/" + kinds.get(j).kind()), controller, collector, kind, i == j);
                }
            }
            return perKind;
        }

        /** Events of one informer for the collector of one kind: the object itself, its owners, and on deletion its dependents. */
        private <T extends HasMetadata> void watchFor(SharedIndexInformer<T> informer, Controller controller, GarbageCollector collector,
                                                      GarbageCollector.Kind kind, boolean sameKind) {
            if (sameKind) {
                controller.watch(informer, Controller::self);
            }
            controller.watch(informer, object -> collector.ownersOfKind(object, kind));
            controller.watchDeletions(informer, object -> collector.dependentsOf(object).stream()
                    .filter(dependent -> kind.kind().equals(dependent.getKind())).map(ObjectRef::of).toList());
        }

        @Override
        public synchronized void close() {
            closed = true;
            controllers.forEach(Controller::close);
            informers.forEach(SharedIndexInformer::close);
            log.info("{} stopped its controllers", settings.identity());
        }
    }
}
