package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.PortMapping;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works on one pod, on its own virtual thread, so a pod's syncs never overlap: brings the runtime
 * to the pod's spec ({@link PodSync}), writes status when it changed, and on deletion stops the
 * containers gracefully, removes the sandbox and deletes the pod object.
 */
final class PodWorker {

  private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
  static final Duration RESYNC = Duration.ofSeconds(1);
  private static final int MAX_PASSES = 10;

  private final String uid;
  private final KubeletContext context;
  private final Map<String, ContainerProbes> probes = new ConcurrentHashMap<>();
  private final Object signal = new Object();
  private volatile Pod desired;
  private volatile boolean removedFromApi;
  private boolean woken;
  private final Thread thread;
  private volatile boolean done;
  /** What the last status check was computed from, when the API already had that status (only the worker's thread uses it). */
  private StatusInputs settled;

  /**
   * What a pod's status is computed from, short of the clock. A pod resyncs every second to notice
   * its containers exit; on a node with many pods most resyncs find nothing changed, and building the
   * status again to compare it costs more than the rest of the sync, so equal inputs skip it. The pod is
   * compared by identity: every new copy (a watch event, this worker's own write) counts as a change.
   */
  private record StatusInputs(Pod pod, ObservedPod observed, List<String> probes) {
    boolean sameAs(StatusInputs other) {
      return other != null && other.pod == pod && other.observed.equals(observed) && other.probes.equals(probes);
    }
  }

  PodWorker(Pod pod, KubeletContext context) {
    this.uid = pod.getMetadata().getUid();
    this.context = context;
    this.desired = pod;
    this.thread = Thread.ofVirtual().name("pod-" + pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName()).start(this::run);
  }

  void update(Pod pod) {
    desired = pod;
    wake();
  }

  /** The pod is gone from the API (deleted with grace 0, or by someone else): stop and clean up. */
  void removed() {
    removedFromApi = true;
    wake();
  }

  boolean done() {
    return done;
  }

  Pod pod() {
    return desired;
  }

  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  void stop() {
    done = true;
    thread.interrupt();
    probes.values().forEach(ContainerProbes::close);
  }

  private void run() {
    Duration wait = Duration.ZERO;
    while (!done) {
      try {
        synchronized (signal) {
          long until = System.nanoTime() + wait.toNanos();
          while (!woken && !done && System.nanoTime() < until) {
            TimeUnit.NANOSECONDS.timedWait(signal, until - System.nanoTime());
          }
          woken = false;
        }
      } catch (InterruptedException e) {
        return;
      }
      if (done) {
        return;
      }
      try {
        wait = sync();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("pod {}/{}: sync failed: {}", desired.getMetadata().getNamespace(), desired.getMetadata().getName(), e.toString());
        log.debug("sync failure detail", e);
        wait = Duration.ofSeconds(2);
      }
    }
  }

  private Duration sync() throws InterruptedException {
    Pod pod = desired;
    if (removedFromApi || pod.getMetadata().getDeletionTimestamp() != null) {
      terminate(pod);
      if (!removedFromApi) {
        deleteFromApi(pod);
      }
      done = true;
      context.forget(uid);
      return Duration.ZERO;
    }
    Instant now = context.clock().instant();
    ObservedPod observed = observe();
    PodSync.Plan plan = PodSync.plan(pod, observed, unhealthy(observed), now);
    for (int pass = 0; pass < MAX_PASSES && !plan.actions().isEmpty(); pass++) {
      for (SyncAction action : plan.actions()) {
        execute(pod, observed, action);
      }
      observed = observe();
      now = context.clock().instant();
      plan = PodSync.plan(pod, observed, unhealthy(observed), now);
    }
    refreshProbes(pod, observed);
    // While the plan waits for a time (a back-off), the status depends on the clock too: computed each time.
    writeStatus(pod, observed, now, plan.recheckAt().isEmpty());
    Duration wait = RESYNC;
    if (plan.recheckAt().isPresent()) {
      Duration until = PodSync.until(now, plan.recheckAt().get());
      wait = until.compareTo(wait) < 0 ? until : wait;
    }
    return wait;
  }

  ObservedPod observe() {
    ContainerRuntime runtime = context.runtime();
    Optional<SandboxStatus> sandbox = runtime.podSandboxes(uid).stream().max(Comparator.comparingInt(SandboxStatus::attempt));
    List<ContainerStatus> containers = sandbox.map(s -> runtime.listContainers(s.id())).orElse(List.of());
    return new ObservedPod(sandbox, containers);
  }

  private Set<String> unhealthy(ObservedPod observed) {
    Set<String> ids = new HashSet<>();
    for (ContainerProbes p : probes.values()) {
      if (p.unhealthy()) {
        ids.add(p.containerId());
      }
    }
    return ids;
  }

  private void execute(Pod pod, ObservedPod observed, SyncAction action) {
    ContainerRuntime runtime = context.runtime();
    var meta = pod.getMetadata();
    switch (action) {
      case SyncAction.CreateSandbox create -> {
        observed.sandbox().ifPresent(old -> {
          // A lost sandbox may still hold containers; stopping it first kills them and releases its network.
          runtime.stopPodSandbox(old.id());
          runtime.removePodSandbox(old.id());
        });
        List<PortMapping> ports = new ArrayList<>();
        for (Container c : PodSync.orEmpty(pod.getSpec().getContainers())) {
          for (ContainerPort port : PodSync.orEmpty(c.getPorts())) {
            if (port.getHostPort() != null && port.getHostPort() > 0) {
              ports.add(new PortMapping(PortMapping.Protocol.valueOf(port.getProtocol() == null ? "TCP" : port.getProtocol()),
                  port.getContainerPort(), port.getHostPort(), port.getHostIP()));
            }
          }
        }
        String hostname = pod.getSpec().getHostname() == null ? meta.getName() : pod.getSpec().getHostname();
        String id = runtime.runPodSandbox(new SandboxSpec(meta.getName(), meta.getNamespace(), uid, create.attempt(), hostname,
            meta.getLabels() == null ? Map.of() : meta.getLabels(), Boolean.TRUE.equals(pod.getSpec().getHostNetwork()), ports,
            context.logs().podDirectory(meta.getNamespace(), meta.getName(), uid)));
        log.info("pod {}/{}: sandbox {} created (attempt {})", meta.getNamespace(), meta.getName(), id, create.attempt());
      }
      case SyncAction.StartContainer start -> startContainer(pod, observed, start);
      case SyncAction.KillContainer kill -> {
        log.info("pod {}/{}: killing container {}: {}", meta.getNamespace(), meta.getName(), kill.name(), kill.reason());
        Optional.ofNullable(probes.remove(kill.name())).ifPresent(ContainerProbes::close);
        runtime.stopContainer(kill.containerId(), gracePeriod(pod));
      }
    }
  }

  private void startContainer(Pod pod, ObservedPod observed, SyncAction.StartContainer start) {
    var meta = pod.getMetadata();
    Container container = start.container();
    String sandboxId = observed.sandbox().orElseThrow().id();
    String podIp = observed.sandbox().flatMap(SandboxStatus::ip).orElse(context.hostIp());
    Map<String, String> env = ContainerEnvironment.resolve(pod, container, context.hostIp(), podIp, context.objects());
    observed.latest(container.getName()).ifPresent(old -> {
      // Keep the previous attempt for lastState and previous logs; older ones go.
      observed.containers().stream().filter(c -> c.name().equals(container.getName()) && c.attempt() < old.attempt())
          .forEach(c -> context.runtime().removeContainer(c.id()));
    });
    ContainerSpec spec = new ContainerSpec(container.getName(), start.attempt(), container.getImage(),
        ContainerEnvironment.expandAll(container.getCommand(), env), ContainerEnvironment.expandAll(container.getArgs(), env), env,
        container.getWorkingDir(), List.of(),
        context.logs().containerLog(meta.getNamespace(), meta.getName(), uid, container.getName(), start.attempt()),
        resources(container), Map.of("io.kubernetes.container.name", container.getName(), "io.kubernetes.pod.uid", uid));
    String id = context.runtime().createContainer(sandboxId, spec);
    context.runtime().startContainer(id);
    log.info("pod {}/{}: started {}container {} (restart {})", meta.getNamespace(), meta.getName(), start.init() ? "init " : "",
        container.getName(), start.attempt());
  }

  static ContainerSpec.Resources resources(Container container) {
    if (container.getResources() == null || container.getResources().getLimits() == null) {
      return ContainerSpec.Resources.NONE;
    }
    Map<String, Quantity> limits = container.getResources().getLimits();
    long cpu = limits.containsKey("cpu") ? Quantity.getAmountInBytes(limits.get("cpu")).multiply(java.math.BigDecimal.valueOf(1000)).longValue() : 0;
    long memory = limits.containsKey("memory") ? Quantity.getAmountInBytes(limits.get("memory")).longValue() : 0;
    return new ContainerSpec.Resources(cpu, memory);
  }

  /** Probes run for the running attempt of each container; a new attempt gets new probes. */
  private void refreshProbes(Pod pod, ObservedPod observed) {
    String podIp = observed.sandbox().flatMap(SandboxStatus::ip).orElse(context.hostIp());
    for (Container container : PodSync.orEmpty(pod.getSpec().getContainers())) {
      Optional<ContainerStatus> latest = observed.latest(container.getName()).filter(ContainerStatus::running);
      ContainerProbes current = probes.get(container.getName());
      if (latest.isEmpty()) {
        if (current != null) {
          probes.remove(container.getName()).close();
        }
        continue;
      }
      if (current == null || !current.containerId().equals(latest.get().id())) {
        if (current != null) {
          current.close();
        }
        probes.put(container.getName(), new ContainerProbes(container, latest.get().id(), podIp, context.prober(), this::wake));
      }
    }
  }

  private void writeStatus(Pod pod, ObservedPod observed, Instant now, boolean timeless) {
    StatusInputs inputs = new StatusInputs(pod, observed, probes.values().stream()
        .map(p -> p.containerId() + "/" + p.ready() + "/" + p.started()).sorted().toList());
    if (timeless && inputs.sameAs(settled)) {
      return;
    }
    settled = null;
    PodStatuses.ProbeView view = new PodStatuses.ProbeView() {
      @Override
      public boolean ready(String containerId) {
        return probes.values().stream().filter(p -> p.containerId().equals(containerId)).findFirst().map(ContainerProbes::ready).orElse(true);
      }

      @Override
      public boolean started(String containerId) {
        return probes.values().stream().filter(p -> p.containerId().equals(containerId)).findFirst().map(ContainerProbes::started).orElse(true);
      }
    };
    PodStatus status = PodStatuses.compute(pod, observed, view, context.hostIp(), now);
    if (Objects.equals(withoutVolatile(status), withoutVolatile(pod.getStatus()))) {
      settled = timeless ? inputs : null;
      return;
    }
    // First on the copy in hand (usually the newest: the watch delivers every change); only when
    // someone changed the pod since is it read afresh, so most status changes cost one request.
    Pod attempt = new PodBuilder(pod).build();
    attempt.setStatus(status);
    if (tryWriteStatus(attempt)) {
      return;
    }
    Pod fresh = context.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    if (fresh == null || !uid.equals(fresh.getMetadata().getUid())) {
      return;
    }
    fresh.setStatus(PodStatuses.compute(fresh, observed, view, context.hostIp(), now));
    tryWriteStatus(fresh);
  }

  /** Writes the pod's status; false when the pod changed meanwhile (409) or is gone (404). */
  private boolean tryWriteStatus(Pod pod) {
    try {
      Pod written = context.client().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
      if (desired.getMetadata().getDeletionTimestamp() == null && written.getMetadata().getDeletionTimestamp() == null) {
        desired = written;
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        throw e;
      }
      return false;
    }
  }

  /** The status without fields the API server may fill or reorder; what remains decides whether to write. */
  private static PodStatus withoutVolatile(PodStatus status) {
    if (status == null) {
      return null;
    }
    PodStatus copy = new io.fabric8.kubernetes.api.model.PodStatusBuilder(status).build();
    copy.setAdditionalProperties(Map.of());
    return copy;
  }

  private Duration gracePeriod(Pod pod) {
    Long seconds = pod.getMetadata().getDeletionGracePeriodSeconds() != null ? pod.getMetadata().getDeletionGracePeriodSeconds()
        : pod.getSpec().getTerminationGracePeriodSeconds();
    return Duration.ofSeconds(seconds == null ? 30 : Math.max(0, seconds));
  }

  /** Stops every container with the grace period (in parallel), then the sandbox, and removes them. */
  private void terminate(Pod pod) throws InterruptedException {
    probes.values().forEach(ContainerProbes::close);
    probes.clear();
    Duration grace = gracePeriod(pod);
    ContainerRuntime runtime = context.runtime();
    List<SandboxStatus> sandboxes = runtime.podSandboxes(uid);
    List<Thread> stopping = new ArrayList<>();
    for (SandboxStatus sandbox : sandboxes) {
      for (ContainerStatus container : runtime.listContainers(sandbox.id())) {
        if (container.running()) {
          stopping.add(Thread.ofVirtual().start(() -> runtime.stopContainer(container.id(), grace)));
        }
      }
    }
    for (Thread t : stopping) {
      t.join();
    }
    for (SandboxStatus sandbox : sandboxes) {
      runtime.stopPodSandbox(sandbox.id());
      runtime.removePodSandbox(sandbox.id());
    }
    log.info("pod {}/{}: terminated (grace {} s)", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), grace.toSeconds());
  }

  private void deleteFromApi(Pod pod) {
    try {
      context.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }
}
