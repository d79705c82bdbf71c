package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.SandboxStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet: watches the pods bound to this node ({@code spec.nodeName=<node>}) and gives each
 * its own {@link PodWorker}. At start, sandboxes the runtime still runs are adopted by the workers
 * of their pods (matched by uid), and those of pods that no longer exist are stopped and removed.
 *
 * <p>A watch can hang without an error (its connection went to a master that lost power). The API
 * server sends an idle watch a bookmark every few seconds, and a bookmark or event moves the
 * informer's last synced resourceVersion, so a watch whose version moved since the last check is
 * alive. After every {@link #WATCH_CHECK_PERIOD} in which it did not move, the kubelet lists its
 * pods (for the API server, a read of every pod) and compares them with what the watch delivered;
 * a difference still there at the next check means the watch is stuck, and the informer is started
 * afresh.
 */
public final class Kubelet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Kubelet.class);

  private final KubernetesClient client;
  private final ContainerRuntime runtime;
  private final String nodeName;
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final KubeletContext context;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final PodWatchHealth watchHealth = new PodWatchHealth();
  private final Clock clock;
  private volatile SharedIndexInformer<Pod> informer;
  private volatile Thread watchCheck;
  /** What the last check listed that the watch had not delivered yet: uid to resourceVersion, or to {@link #GONE}. */
  private Map<String, Long> behind = Map.of();
  /** The informer's last synced resourceVersion at the previous check. */
  private String versionAtLastCheck = "";

  /** How often the watch is compared with a fresh list. */
  static final Duration WATCH_CHECK_PERIOD = Duration.ofSeconds(30);
  private static final long GONE = -1;

  public Kubelet(KubernetesClient client, ContainerRuntime runtime, String nodeName, String hostIp, PodLogs logs, Clock clock) {
    this.client = client;
    this.runtime = runtime;
    this.nodeName = nodeName;
    this.clock = clock;
    Prober prober = new Prober(runtime);
    ContainerEnvironment.Objects objects = new ContainerEnvironment.Objects() {
      @Override
      public Optional<ConfigMap> configMap(String namespace, String name) {
        return Optional.ofNullable(client.configMaps().inNamespace(namespace).withName(name).get());
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
      }
    };
    this.context = new KubeletContext() {
      @Override
      public KubernetesClient client() {
        return client;
      }

      @Override
      public ContainerRuntime runtime() {
        return runtime;
      }

      @Override
      public Prober prober() {
        return prober;
      }

      @Override
      public PodLogs logs() {
        return logs;
      }

      @Override
      public ContainerEnvironment.Objects objects() {
        return objects;
      }

      @Override
      public String hostIp() {
        return hostIp;
      }

      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public void forget(String uid) {
        workers.remove(uid);
      }
    };
  }

  /** Starts watching this node's pods; returns once the first list has arrived and orphans are cleaned up. */
  public synchronized void start() {
    informer = startInformer();
    removeOrphans();
    watchCheck = Thread.ofVirtual().name("kubelet-watch-check").start(this::checkLoop);
    Thread.ofVirtual().name("kubelet-status-warm-up").start(this::prepareStatusWrites);
    log.info("kubelet of node {} started with {} pods ({})", nodeName, workers.size(), runtime.version());
  }

  /**
   * Has Jackson build its serializers for a pod with a status before a pod needs them. Built on first
   * use, they took this agent (C1 only) about 70 ms of CPU (JFR of a worker's first pod), and the first
   * use was the first pod's status write: between its container starting and the API server hearing so.
   */
  private void prepareStatusWrites() {
    Pod sample = new PodBuilder()
        .withNewMetadata().withName("status-warm-up").withNamespace("default").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("image").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withStartTime("2026-01-01T00:00:00Z").withQosClass("BestEffort")
            .withHostIP("10.0.0.1").withHostIPs(new HostIPBuilder().withIp("10.0.0.1").build())
            .withPodIP("10.0.1.1").withPodIPs(new PodIPBuilder().withIp("10.0.1.1").build())
            .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime("2026-01-01T00:00:00Z").endCondition()
            .addNewContainerStatus().withName("main").withImage("image").withReady(true).withStarted(true).withRestartCount(1)
                .withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning().endState()
                .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endLastState()
            .endContainerStatus()
            .addNewInitContainerStatus().withName("init")
                .withNewState().withNewWaiting().withReason("PodInitializing").endWaiting().endState()
            .endInitContainerStatus()
        .endStatus().build();
    try {
      client.getKubernetesSerialization().asJson(sample);
    } catch (RuntimeException e) {
      log.debug("status serializers not prepared ahead: {}", e.toString());
    }
  }

  private SharedIndexInformer<Pod> startInformer() {
    SharedIndexInformer<Pod> started = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
    started.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        dispatch(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod after) {
        dispatch(after);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        PodWorker worker = workers.get(pod.getMetadata().getUid());
        if (worker != null) {
          worker.removed();
        }
      }
    });
    try {
      started.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return started;
    } catch (Exception e) {
      started.close();
      throw new IllegalStateException("the kubelet of node " + nodeName + " could not list its pods: " + e.getMessage(), e);
    }
  }

  private void checkLoop() {
    try {
      while (!closed.await(WATCH_CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
        try {
          String version = informer.lastSyncResourceVersion();
          if (version != null && !version.equals(versionAtLastCheck)) {
            versionAtLastCheck = version;
            behind = Map.of(); // the watch is alive: what it lacked has come or will come
          } else {
            checkWatch();
          }
        } catch (RuntimeException e) {
          log.warn("kubelet of node {}: cannot check its pod watch: {}", nodeName, e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lists this node's pods; restarts the informer when it still lacks what the previous list showed. */
  void checkWatch() {
    List<Pod> listed = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems();
    Map<String, Long> seen = versions(informer.getStore().list());
    Map<String, Long> now = versions(listed);
    boolean stuck = behind.entrySet().stream().anyMatch(e -> e.getValue() == GONE
        ? seen.containsKey(e.getKey()) && !now.containsKey(e.getKey())
        : now.containsKey(e.getKey()) && seen.getOrDefault(e.getKey(), GONE) < e.getValue());
    if (stuck) {
      log.warn("kubelet of node {}: its pod watch delivered nothing of {} for {}; starting it afresh", nodeName, behind.keySet(), WATCH_CHECK_PERIOD);
      restartInformer();
      behind = Map.of();
      return;
    }
    Map<String, Long> lagging = new HashMap<>();
    now.forEach((uid, version) -> {
      if (seen.getOrDefault(uid, GONE) < version) {
        lagging.put(uid, version);
      }
    });
    seen.keySet().stream().filter(uid -> !now.containsKey(uid)).forEach(uid -> lagging.put(uid, GONE));
    behind = Map.copyOf(lagging);
  }

  /** A fresh list and watch; workers of pods that vanished meanwhile (their delete event was lost) are told so. */
  private synchronized void restartInformer() {
    if (closed.getCount() == 0) {
      return;
    }
    SharedIndexInformer<Pod> stale = informer;
    informer = startInformer();
    stale.close();
    Set<String> known = informer.getStore().list().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    workers.forEach((uid, worker) -> {
      if (!known.contains(uid)) {
        worker.removed();
      }
    });
  }

  private static Map<String, Long> versions(List<Pod> pods) {
    return pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getUid(), Kubelet::resourceVersion, Math::max));
  }

  private static long resourceVersion(Pod pod) {
    try {
      return Long.parseLong(pod.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException e) {
      return 0;
    }
  }

  private void dispatch(Pod pod) {
    String uid = pod.getMetadata().getUid();
    workers.compute(uid, (key, worker) -> {
      if (worker == null || worker.done()) {
        return new PodWorker(pod, context);
      }
      worker.update(pod);
      return worker;
    });
  }

  /** Sandboxes of pods the API no longer has (deleted while the agent was down). */
  private void removeOrphans() {
    Set<String> known = informer.getStore().list().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    for (SandboxStatus sandbox : runtime.listPodSandboxes()) {
      if (!known.contains(sandbox.uid())) {
        log.info("removing sandbox {} of pod {}/{} ({}), which no longer exists", sandbox.id(), sandbox.namespace(), sandbox.name(), sandbox.uid());
        runtime.listContainers(sandbox.id()).stream().filter(c -> c.running())
            .forEach(c -> runtime.stopContainer(c.id(), Duration.ofSeconds(30)));
        runtime.stopPodSandbox(sandbox.id());
        runtime.removePodSandbox(sandbox.id());
      }
    }
  }

  /** The pods bound to this node as the kubelet last saw them. */
  public List<Pod> pods() {
    return informer == null ? List.of() : informer.getStore().list();
  }

  /** The pod of that namespace and name, if it is bound here. */
  public Optional<Pod> pod(String namespace, String name) {
    return pods().stream().filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName())).findFirst();
  }

  public ContainerRuntime runtime() {
    return runtime;
  }

  /**
   * Whether the kubelet can run pods: the runtime answers (asked for its version: one cheap call,
   * however many pods run), and its pod watch works (see {@link PodWatchHealth}).
   */
  public boolean healthy() {
    try {
      runtime.version();
      return informer != null && watchHealth.working(informer.isWatching(), clock.instant());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Stops the workers; pods keep running, to be adopted by the next kubelet. */
  @Override
  public void close() {
    closed.countDown();
    Thread check = watchCheck;
    if (check != null) {
      check.interrupt();
    }
    synchronized (this) {
      if (informer != null) {
        informer.close();
      }
      workers.values().forEach(PodWorker::stop);
      workers.clear();
    }
  }
}
