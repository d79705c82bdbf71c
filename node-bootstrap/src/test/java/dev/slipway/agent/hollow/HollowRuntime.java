package dev.slipway.agent.hollow;

import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecResult;
import dev.slipway.agent.runtime.ExecSession;
import dev.slipway.agent.runtime.LogFormat;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A container runtime that runs nothing, like kubemark's hollow nodes: sandboxes are ready and
 * containers run the moment they are asked for, stop at once (exit 0) and hold every image. It
 * keeps only records in memory, so a thousand of them fit in one JVM; the kubelet above it is real.
 */
public final class HollowRuntime implements ContainerRuntime {

  static final String VERSION = "hollow://0.1.0";

  private final String podIpPrefix;
  private final String nodeAddress;
  private final Clock clock;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, SandboxStatus> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerStatus> containers = new ConcurrentHashMap<>();
  private volatile boolean answering = true;

  /** Pod addresses are {@code <podIpPrefix><1..254>}, e.g. {@code 10.244.3.}; host-network pods get {@code nodeAddress}. */
  public HollowRuntime(String podIpPrefix, String nodeAddress, Clock clock) {
    this.podIpPrefix = podIpPrefix;
    this.nodeAddress = nodeAddress;
    this.clock = clock;
  }

  @Override
  public String version() {
    if (!answering) {
      throw new ContainerRuntimeException("hollow runtime is not answering (a test stopped it)");
    }
    return VERSION;
  }

  /** Tests: whether {@link #version()} answers, as a runtime daemon that stopped would not. */
  void answering(boolean answering) {
    this.answering = answering;
  }

  @Override
  public LogFormat logFormat() {
    return LogFormat.PLAIN;
  }

  @Override
  public String runPodSandbox(SandboxSpec spec) {
    long n = ids.incrementAndGet();
    String id = "sandbox-" + n;
    String ip = spec.hostNetwork() ? nodeAddress : podIpPrefix + (1 + (n - 1) % 254);
    sandboxes.put(id, new SandboxStatus(id, spec.name(), spec.namespace(), spec.uid(), spec.attempt(), SandboxStatus.State.READY,
        clock.instant(), ip, spec.labels()));
    return id;
  }

  @Override
  public void stopPodSandbox(String sandboxId) {
    sandboxes.computeIfPresent(sandboxId, (id, s) -> new SandboxStatus(s.id(), s.name(), s.namespace(), s.uid(), s.attempt(),
        SandboxStatus.State.NOT_READY, s.createdAt(), "", s.labels()));
    containers.values().stream().filter(c -> c.sandboxId().equals(sandboxId)).forEach(c -> exit(c.id()));
  }

  @Override
  public void removePodSandbox(String sandboxId) {
    containers.values().removeIf(c -> c.sandboxId().equals(sandboxId));
    sandboxes.remove(sandboxId);
  }

  @Override
  public List<SandboxStatus> listPodSandboxes() {
    return List.copyOf(sandboxes.values());
  }

  @Override
  public Optional<SandboxStatus> podSandboxStatus(String sandboxId) {
    return Optional.ofNullable(sandboxes.get(sandboxId));
  }

  @Override
  public String createContainer(String sandboxId, ContainerSpec spec) {
    SandboxStatus sandbox = sandboxes.get(sandboxId);
    if (sandbox == null || !sandbox.ready()) {
      throw new ContainerRuntimeException("cannot create container " + spec.name() + ": sandbox " + sandboxId + " is not ready");
    }
    String id = "container-" + ids.incrementAndGet();
    containers.put(id, new ContainerStatus(id, sandboxId, spec.name(), spec.attempt(), spec.image(), new ContainerState.Created(),
        clock.instant(), spec.logPath()));
    return id;
  }

  @Override
  public void startContainer(String containerId) {
    ContainerStatus container = containers.get(containerId);
    if (container == null || !(container.state() instanceof ContainerState.Created)) {
      throw new ContainerRuntimeException("cannot start container " + containerId + ": it is "
          + (container == null ? "gone" : "not in state Created but " + container.state()));
    }
    containers.computeIfPresent(containerId, (id, c) -> withState(c, new ContainerState.Running(clock.instant())));
  }

  @Override
  public void stopContainer(String containerId, Duration grace) {
    exit(containerId);
  }

  @Override
  public void removeContainer(String containerId) {
    containers.remove(containerId);
  }

  @Override
  public List<ContainerStatus> listContainers(String sandboxId) {
    return containers.values().stream().filter(c -> c.sandboxId().equals(sandboxId)).toList();
  }

  @Override
  public Optional<ContainerStatus> containerStatus(String containerId) {
    return Optional.ofNullable(containers.get(containerId));
  }

  /** Every command succeeds without output, so exec probes pass. */
  @Override
  public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    ContainerStatus status = containerStatus(containerId).orElseThrow(() -> new ContainerRuntimeException("exec in container "
        + containerId + ": no such container"));
    if (!status.running()) {
      throw new ContainerRuntimeException("exec in container " + containerId + ": it is not running");
    }
    return new ExecResult(0, new byte[0], new byte[0]);
  }

  @Override
  public ExecSession exec(String containerId, List<String> command) {
    throw new ContainerRuntimeException("exec in container " + containerId + ": a hollow runtime has no processes to attach to");
  }

  @Override
  public boolean hasImage(String image) {
    return true;
  }

  @Override
  public List<String> importImages(Path tarball) {
    return List.of();
  }

  @Override
  public void removeImage(String image) {
    // every image is always there
  }

  @Override
  public void close() {
    // nothing to disconnect from; the records stay, as real pods keep running
  }

  /** A running or created container exits 0; an exited one keeps its first exit. */
  private void exit(String containerId) {
    Instant now = clock.instant();
    containers.computeIfPresent(containerId, (id, c) -> switch (c.state()) {
      case ContainerState.Running running -> withState(c, new ContainerState.Exited(running.startedAt(), now, 0, "Completed"));
      case ContainerState.Created created -> withState(c, new ContainerState.Exited(now, now, 0, "Completed"));
      case ContainerState.Exited exited -> c;
      case ContainerState.Unknown unknown -> withState(c, new ContainerState.Exited(now, now, 0, "Completed"));
    });
  }

  private static ContainerStatus withState(ContainerStatus c, ContainerState state) {
    return new ContainerStatus(c.id(), c.sandboxId(), c.name(), c.attempt(), c.image(), state, c.createdAt(), c.logPath());
  }
}
