package dev.slipway.agent.runtime.containerd;

import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecResult;
import dev.slipway.agent.runtime.ExecSession;
import dev.slipway.agent.runtime.LogFormat;
import dev.slipway.agent.runtime.PortMapping;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import dev.slipway.agent.runtime.cri.v1.Container;
import dev.slipway.agent.runtime.cri.v1.ContainerConfig;
import dev.slipway.agent.runtime.cri.v1.ContainerFilter;
import dev.slipway.agent.runtime.cri.v1.ContainerMetadata;
import dev.slipway.agent.runtime.cri.v1.ContainerStatusRequest;
import dev.slipway.agent.runtime.cri.v1.CreateContainerRequest;
import dev.slipway.agent.runtime.cri.v1.Cri;
import dev.slipway.agent.runtime.cri.v1.ExecSyncRequest;
import dev.slipway.agent.runtime.cri.v1.ExecSyncResponse;
import dev.slipway.agent.runtime.cri.v1.ImageServiceGrpc;
import dev.slipway.agent.runtime.cri.v1.ImageSpec;
import dev.slipway.agent.runtime.cri.v1.ImageStatusRequest;
import dev.slipway.agent.runtime.cri.v1.KeyValue;
import dev.slipway.agent.runtime.cri.v1.LinuxContainerConfig;
import dev.slipway.agent.runtime.cri.v1.LinuxContainerResources;
import dev.slipway.agent.runtime.cri.v1.LinuxPodSandboxConfig;
import dev.slipway.agent.runtime.cri.v1.LinuxSandboxSecurityContext;
import dev.slipway.agent.runtime.cri.v1.ListContainersRequest;
import dev.slipway.agent.runtime.cri.v1.ListPodSandboxRequest;
import dev.slipway.agent.runtime.cri.v1.Mount;
import dev.slipway.agent.runtime.cri.v1.NamespaceMode;
import dev.slipway.agent.runtime.cri.v1.NamespaceOption;
import dev.slipway.agent.runtime.cri.v1.PodSandbox;
import dev.slipway.agent.runtime.cri.v1.PodSandboxConfig;
import dev.slipway.agent.runtime.cri.v1.PodSandboxMetadata;
import dev.slipway.agent.runtime.cri.v1.PodSandboxState;
import dev.slipway.agent.runtime.cri.v1.PodSandboxStatusRequest;
import dev.slipway.agent.runtime.cri.v1.Protocol;
import dev.slipway.agent.runtime.cri.v1.RemoveContainerRequest;
import dev.slipway.agent.runtime.cri.v1.RemoveImageRequest;
import dev.slipway.agent.runtime.cri.v1.RemovePodSandboxRequest;
import dev.slipway.agent.runtime.cri.v1.RunPodSandboxRequest;
import dev.slipway.agent.runtime.cri.v1.RuntimeServiceGrpc;
import dev.slipway.agent.runtime.cri.v1.StartContainerRequest;
import dev.slipway.agent.runtime.cri.v1.StopContainerRequest;
import dev.slipway.agent.runtime.cri.v1.StopPodSandboxRequest;
import dev.slipway.agent.runtime.cri.v1.VersionRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containerd runtime: CRI v1 over containerd's gRPC unix socket for pods, containers, exec and
 * images, plus containerd's own {@code ctr} where the CRI has no call (image import, streamed exec).
 */
public final class ContainerdRuntime implements ContainerRuntime {

  private static final Logger log = LoggerFactory.getLogger(ContainerdRuntime.class);
  private static final String NAMESPACE = "k8s.io";
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
  private static final long CPU_PERIOD_MICROS = 100_000;
  /** How long the pods' resyncs share one listing of the node's sandboxes and containers. */
  private static final Duration LISTING_MAX_AGE = Duration.ofMillis(500);
  private static final Pattern UNPACKED = Pattern.compile("^unpacking (\\S+) \\(sha256:[0-9a-f]+\\)\\.\\.\\.done$", Pattern.MULTILINE);

  private final Path socket;
  private final String ctr;
  private final EpollEventLoopGroup eventLoop;
  private final ManagedChannel channel;
  private final RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
  private final ImageServiceGrpc.ImageServiceBlockingStub images;
  // CreateContainer wants the sandbox's config again (containerd names containers after the pod).
  private final Map<String, PodSandboxConfig> sandboxConfigs = new ConcurrentHashMap<>();
  /**
   * The last status answer for each sandbox and container. A status changes only with its state (a
   * sandbox's address, a container's times, exit code and reason are fixed within one state), so
   * while a listing reports the state an answer was given in, the answer stands: the kubelet's
   * once-a-second resync of each pod then makes no status call.
   */
  private final Map<String, Known<SandboxStatus>> sandboxStatuses = new ConcurrentHashMap<>();
  private final Map<String, Known<ContainerStatus>> containerStatuses = new ConcurrentHashMap<>();
  /**
   * Every sandbox and container on the node, listed together and shared by the pods' resyncs for up
   * to {@link #LISTING_MAX_AGE}, as the kubelet's pod lifecycle event generator relists once for all
   * pods: listed per pod, each of n pods' once-a-second resyncs listed all n sandboxes. A change made
   * through this runtime starts a new {@link #generation}, which ends the listing, so a pod's worker
   * sees its own actions at once; a change from outside (a container that exits) shows up to that
   * much later.
   */
  private volatile Listing listing;
  private final AtomicLong generation = new AtomicLong();
  private final ReentrantLock listingLock = new ReentrantLock();
  /** Calls made, by CRI method, as the kubelet's runtime_operations_total counts them. */
  private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();

  /** A status answer and the CRI state (enum number) it was given in. */
  private record Known<T>(int state, T status) {
  }

  /** A listing, the {@link #generation} it was taken in, and when ({@link System#nanoTime()}). */
  private record Listing(long generation, long takenAt, List<PodSandbox> sandboxes, List<Container> containers) {
  }

  private ContainerdRuntime(Path socket, String ctr) {
    this.socket = socket;
    this.ctr = ctr;
    this.eventLoop = new EpollEventLoopGroup(1);
    this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .eventLoopGroup(eventLoop)
        .channelType(EpollDomainSocketChannel.class)
        .overrideAuthority("localhost")
        .usePlaintext()
        .maxInboundMessageSize(16 * 1024 * 1024)
        .build();
    this.runtime = RuntimeServiceGrpc.newBlockingStub(channel);
    this.images = ImageServiceGrpc.newBlockingStub(channel);
  }

  /** Connects to containerd's socket; {@code ctr} is containerd's CLI (usually just {@code ctr}). */
  public static ContainerdRuntime connect(Path socket, String ctr) {
    // The CRI schema (protobuf descriptors of the whole API) is built the first time a message with a
    // map field is, which is the first pod's sandbox config: ~0.2 s of interpreted start-up code inside
    // that pod's start on a worker. Build it now, beside the agent's start instead.
    Thread.ofVirtual().name("cri-schema").start(Cri::getDescriptor);
    return new ContainerdRuntime(socket, ctr);
  }

  public Path socket() {
    return socket;
  }

  @Override
  public String version() {
    var response = call("Version", "containerd", () -> rt().version(VersionRequest.newBuilder().setVersion("v1").build()));
    return response.getRuntimeName() + "://" + response.getRuntimeVersion();
  }

  @Override
  public LogFormat logFormat() {
    return LogFormat.CRI;
  }

  // ---- sandboxes ----

  @Override
  public String runPodSandbox(SandboxSpec spec) {
    PodSandboxConfig config = sandboxConfig(spec);
    String id = change("RunPodSandbox", spec.fullName(),
        () -> rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())).getPodSandboxId();
    sandboxConfigs.put(id, config);
    return id;
  }

  @Override
  public void stopPodSandbox(String sandboxId) {
    ignoringNotFound(() -> change("StopPodSandbox", sandboxId,
        () -> rt().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build())));
  }

  @Override
  public void removePodSandbox(String sandboxId) {
    Optional<String> podUid = podSandboxStatus(sandboxId).map(SandboxStatus::uid);
    ignoringNotFound(() -> change("RemovePodSandbox", sandboxId,
        () -> rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build())));
    sandboxConfigs.remove(sandboxId);
    podUid.ifPresent(PodCgroups::remove);
  }

  @Override
  public List<SandboxStatus> listPodSandboxes() {
    return statuses(listed());
  }

  /**
   * From the shared listing, with status calls only for the pod's own sandboxes whose state changed
   * (a status call per sandbox on the node made every pod's sync cost O(pods)).
   */
  @Override
  public List<SandboxStatus> podSandboxes(String podUid) {
    return statuses(listing().sandboxes().stream().filter(item -> item.getMetadata().getUid().equals(podUid)).toList());
  }

  private List<PodSandbox> listed() {
    return call("ListPodSandbox", "all", () -> rt().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())).getItemsList();
  }

  private Listing listing() {
    Listing current = listing;
    if (isFresh(current)) {
      return current;
    }
    listingLock.lock();
    try {
      current = listing;
      if (isFresh(current)) {
        return current;
      }
      // The generation before the calls: a change that lands while they run leaves this listing stale.
      long listedIn = generation.get();
      long takenAt = System.nanoTime();
      List<PodSandbox> sandboxes = listed();
      List<Container> containers = call("ListContainers", "all", () -> rt().listContainers(ListContainersRequest.getDefaultInstance()))
          .getContainersList();
      // The answers of sandboxes and containers that are gone can go too.
      sandboxStatuses.keySet().retainAll(sandboxes.stream().map(PodSandbox::getId).collect(Collectors.toSet()));
      containerStatuses.keySet().retainAll(containers.stream().map(Container::getId).collect(Collectors.toSet()));
      listing = new Listing(listedIn, takenAt, sandboxes, containers);
      return listing;
    } finally {
      listingLock.unlock();
    }
  }

  private boolean isFresh(Listing candidate) {
    return candidate != null && candidate.generation() == generation.get()
        && System.nanoTime() - candidate.takenAt() < LISTING_MAX_AGE.toNanos();
  }

  /** The list carries no addresses; the status call does, once per sandbox state. */
  private List<SandboxStatus> statuses(List<PodSandbox> items) {
    return items.stream().map(item -> knownOrAsk(sandboxStatuses, item.getId(), item.getStateValue(), () -> podSandboxStatus(item.getId())))
        .flatMap(Optional::stream).toList();
  }

  /** The answer kept for {@code id} if it was given in {@code state}; else {@code ask}, which keeps its answer. */
  private static <T> Optional<T> knownOrAsk(Map<String, Known<T>> answers, String id, int state, Supplier<Optional<T>> ask) {
    Known<T> known = answers.get(id);
    return known != null && known.state() == state ? Optional.of(known.status()) : ask.get();
  }

  @Override
  public Optional<SandboxStatus> podSandboxStatus(String sandboxId) {
    return optional(() -> call("PodSandboxStatus", sandboxId,
        () -> rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build())))
        .map(response -> {
          var s = response.getStatus();
          var m = s.getMetadata();
          SandboxStatus status = new SandboxStatus(s.getId(), m.getName(), m.getNamespace(), m.getUid(), m.getAttempt(),
              s.getState() == PodSandboxState.SANDBOX_READY ? SandboxStatus.State.READY : SandboxStatus.State.NOT_READY,
              instant(s.getCreatedAt()), s.getNetwork().getIp(), s.getLabelsMap());
          sandboxStatuses.put(sandboxId, new Known<>(s.getStateValue(), status));
          return status;
        });
  }

  // ---- containers ----

  @Override
  public String createContainer(String sandboxId, ContainerSpec spec) {
    PodSandboxConfig sandbox = sandboxConfigs.computeIfAbsent(sandboxId, this::sandboxConfigFromStatus).toBuilder()
        .setLogDirectory(spec.logPath().getParent().toString())
        .build();
    ContainerConfig.Builder config = ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(spec.name()).setAttempt(spec.attempt()))
        .setImage(ImageSpec.newBuilder().setImage(spec.image()))
        .addAllCommand(spec.command())
        .addAllArgs(spec.args())
        .setWorkingDir(spec.workingDir())
        .putAllLabels(spec.labels())
        // Relative to the sandbox's log directory, which we set to the log file's folder above.
        .setLogPath(spec.logPath().getFileName().toString())
        .setLinux(LinuxContainerConfig.newBuilder().setResources(resources(spec.resources())));
    spec.env().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> config.addEnvs(KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
    for (ContainerSpec.Mount m : spec.mounts()) {
      config.addMounts(Mount.newBuilder().setHostPath(m.hostPath().toString()).setContainerPath(m.containerPath()).setReadonly(m.readOnly()));
    }
    try {
      Files.createDirectories(spec.logPath().getParent());
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot create log folder " + spec.logPath().getParent() + " for container " + spec.name(), e);
    }
    return change("CreateContainer", spec.name() + " in sandbox " + sandboxId, () -> rt().createContainer(CreateContainerRequest.newBuilder()
        .setPodSandboxId(sandboxId).setConfig(config).setSandboxConfig(sandbox).build())).getContainerId();
  }

  @Override
  public void startContainer(String containerId) {
    change("StartContainer", containerId, () -> rt().startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build()));
  }

  @Override
  public void stopContainer(String containerId, Duration grace) {
    // CRI counts the grace period in whole seconds; round up so that a container never gets less.
    long seconds = (grace.toMillis() + 999) / 1000;
    ignoringNotFound(() -> change("StopContainer", containerId,
        () -> runtime.withDeadlineAfter(CALL_TIMEOUT.toMillis() + seconds * 1000, TimeUnit.MILLISECONDS)
            .stopContainer(StopContainerRequest.newBuilder().setContainerId(containerId).setTimeout(seconds).build())));
  }

  @Override
  public void removeContainer(String containerId) {
    ignoringNotFound(() -> change("RemoveContainer", containerId,
        () -> rt().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(containerId).build())));
  }

  @Override
  public List<ContainerStatus> listContainers(String sandboxId) {
    List<Container> containers = listing().containers().stream().filter(c -> c.getPodSandboxId().equals(sandboxId)).toList();
    // Exit codes and times come only with the status call, once per container state.
    return containers.stream().map(c -> knownOrAsk(containerStatuses, c.getId(), c.getStateValue(), () -> containerStatus(c.getId(), sandboxId)))
        .flatMap(Optional::stream).toList();
  }

  @Override
  public Optional<ContainerStatus> containerStatus(String containerId) {
    // The status carries no sandbox id; the list entry does.
    var listed = call("ListContainers", containerId, () -> rt().listContainers(ListContainersRequest.newBuilder()
        .setFilter(ContainerFilter.newBuilder().setId(containerId)).build())).getContainersList();
    return listed.isEmpty() ? Optional.empty() : containerStatus(containerId, listed.getFirst().getPodSandboxId());
  }

  private Optional<ContainerStatus> containerStatus(String containerId, String sandboxId) {
    return optional(() -> call("ContainerStatus", containerId,
        () -> rt().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).build())))
        .map(response -> {
          var s = response.getStatus();
          ContainerState state = switch (s.getState()) {
            case CONTAINER_CREATED -> new ContainerState.Created();
            case CONTAINER_RUNNING -> new ContainerState.Running(instant(s.getStartedAt()));
            case CONTAINER_EXITED -> new ContainerState.Exited(instant(s.getStartedAt()), instant(s.getFinishedAt()), s.getExitCode(), s.getReason());
            default -> new ContainerState.Unknown(s.getReason().isEmpty() ? s.getMessage() : s.getReason());
          };
          ContainerStatus status = new ContainerStatus(s.getId(), sandboxId, s.getMetadata().getName(), s.getMetadata().getAttempt(),
              s.getImage().getImage(), state, instant(s.getCreatedAt()), Path.of(s.getLogPath()));
          if (!(state instanceof ContainerState.Unknown)) {
            containerStatuses.put(containerId, new Known<>(s.getStateValue(), status));
          }
          return status;
        });
  }

  // ---- exec ----

  @Override
  public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
    ExecSyncResponse response = call("ExecSync " + command, containerId,
        () -> runtime.withDeadlineAfter(seconds * 1000 + 30_000, TimeUnit.MILLISECONDS)
            .execSync(ExecSyncRequest.newBuilder().setContainerId(containerId).addAllCmd(command).setTimeout(seconds).build()));
    return new ExecResult(response.getExitCode(), response.getStdout().toByteArray(), response.getStderr().toByteArray());
  }

  @Override
  public ExecSession exec(String containerId, List<String> command) {
    // The CRI's Exec only hands out a URL on containerd's streaming server (SPDY or WebSocket);
    // containerd's own CLI gives the same process with plain pipes.
    List<String> argv = new ArrayList<>(List.of(ctr, "--address", socket.toString(), "--namespace", NAMESPACE,
        "tasks", "exec", "--exec-id", "slipway-" + UUID.randomUUID().toString().substring(0, 8), containerId));
    argv.addAll(command);
    try {
      return new CtrExecSession(new ProcessBuilder(argv).start());
    } catch (IOException e) {
      throw new ContainerRuntimeException("exec " + command + " in container " + containerId + ": cannot run " + ctr + ": " + e.getMessage(), e);
    }
  }

  // ---- images ----

  @Override
  public boolean hasImage(String image) {
    var response = call("ImageStatus", image, () -> img().imageStatus(ImageStatusRequest.newBuilder()
        .setImage(ImageSpec.newBuilder().setImage(image)).build()));
    return response.hasImage() && !response.getImage().getId().isEmpty();
  }

  @Override
  public List<String> importImages(Path tarball) {
    if (!Files.isRegularFile(tarball)) {
      throw new ContainerRuntimeException("image bundle " + tarball + " is not a file");
    }
    // The CRI has no import call (it only pulls from registries), so containerd's own CLI imports
    // the bundle into the namespace that the CRI plugin serves.
    List<String> argv = List.of(ctr, "--address", socket.toString(), "--namespace", NAMESPACE, "images", "import", tarball.toString());
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new ContainerRuntimeException("cannot import image bundle " + tarball + " into containerd at " + socket + ": " + output.strip());
      }
      List<String> refs = new ArrayList<>();
      Matcher m = UNPACKED.matcher(output);
      while (m.find()) {
        refs.add(m.group(1));
      }
      log.info("imported {} from {}", refs, tarball);
      return refs;
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot import image bundle " + tarball + ": cannot run " + ctr + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("import of image bundle " + tarball + " was interrupted", e);
    }
  }

  @Override
  public void removeImage(String image) {
    ignoringNotFound(() -> call("RemoveImage", image, () -> img().removeImage(RemoveImageRequest.newBuilder()
        .setImage(ImageSpec.newBuilder().setImage(image)).build())));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  // ---- inside ----

  static PodSandboxConfig sandboxConfig(SandboxSpec spec) {
    PodSandboxConfig.Builder config = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName(spec.name()).setNamespace(spec.namespace())
            .setUid(spec.uid()).setAttempt(spec.attempt()))
        .setHostname(spec.hostname())
        .setLogDirectory(spec.logDirectory().toString())
        .putAllLabels(spec.labels())
        .setLinux(LinuxPodSandboxConfig.newBuilder()
            .setCgroupParent(cgroupParent(spec.uid()))
            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                .setNetwork(spec.hostNetwork() ? NamespaceMode.NODE : NamespaceMode.POD)
                .setPid(NamespaceMode.CONTAINER)
                .setIpc(NamespaceMode.POD))));
    for (PortMapping p : spec.ports()) {
      config.addPortMappings(dev.slipway.agent.runtime.cri.v1.PortMapping.newBuilder()
          .setProtocol(switch (p.protocol()) {
            case TCP -> Protocol.TCP;
            case UDP -> Protocol.UDP;
            case SCTP -> Protocol.SCTP;
          })
          .setContainerPort(p.containerPort()).setHostPort(p.hostPort()).setHostIp(p.hostIp()));
    }
    return config.build();
  }

  /** Every pod's cgroup sits under /slipway (cgroupfs driver), one folder per pod, as the kubelet does under /kubepods. */
  public static String cgroupParent(String podUid) {
    return "/slipway/pod" + podUid.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  static LinuxContainerResources resources(ContainerSpec.Resources r) {
    LinuxContainerResources.Builder b = LinuxContainerResources.newBuilder();
    if (r.cpuMillis() > 0) {
      b.setCpuPeriod(CPU_PERIOD_MICROS).setCpuQuota(r.cpuMillis() * CPU_PERIOD_MICROS / 1000)
          .setCpuShares(Math.max(2, r.cpuMillis() * 1024 / 1000));
    }
    if (r.memoryBytes() > 0) {
      b.setMemoryLimitInBytes(r.memoryBytes());
    }
    return b.build();
  }

  private PodSandboxConfig sandboxConfigFromStatus(String sandboxId) {
    var status = call("PodSandboxStatus", sandboxId,
        () -> rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build())).getStatus();
    return PodSandboxConfig.newBuilder().setMetadata(status.getMetadata()).putAllLabels(status.getLabelsMap())
        .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent(status.getMetadata().getUid())))
        .build();
  }

  private RuntimeServiceGrpc.RuntimeServiceBlockingStub rt() {
    return runtime.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ImageServiceGrpc.ImageServiceBlockingStub img() {
    return images.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many calls of one CRI method (e.g. {@code ContainerStatus}) this runtime has made. */
  public long operations(String method) {
    LongAdder count = operations.get(method);
    return count == null ? 0 : count.sum();
  }

  /** A call that changes sandboxes or containers: listings taken before it ends (or fails) are stale. */
  private <T> T change(String what, String subject, Supplier<T> call) {
    try {
      return call(what, subject, call);
    } finally {
      generation.incrementAndGet();
    }
  }

  private <T> T call(String what, String subject, Supplier<T> call) {
    int space = what.indexOf(' ');
    operations.computeIfAbsent(space < 0 ? what : what.substring(0, space), method -> new LongAdder()).increment();
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      throw new CriCallException(what, subject, socket, e);
    }
  }

  private static <T> Optional<T> optional(Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (CriCallException e) {
      if (e.notFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static void ignoringNotFound(Runnable call) {
    optional(() -> {
      call.run();
      return Boolean.TRUE;
    });
  }

  private static Instant instant(long nanos) {
    return nanos == 0 ? Instant.EPOCH : Instant.ofEpochSecond(0, nanos);
  }

  /** A CRI call that containerd refused or that did not reach it. */
  static final class CriCallException extends ContainerRuntimeException {
    private final Status.Code code;

    CriCallException(String what, String subject, Path socket, StatusRuntimeException cause) {
      super("containerd " + what + " (" + subject + ") failed: " + cause.getStatus().getCode()
          + (cause.getStatus().getDescription() == null ? "" : ": " + cause.getStatus().getDescription())
          + (cause.getStatus().getCode() == Status.Code.UNAVAILABLE ? " (is containerd running at " + socket + "?)" : ""), cause);
      this.code = cause.getStatus().getCode();
    }

    boolean notFound() {
      return code == Status.Code.NOT_FOUND;
    }
  }
}
