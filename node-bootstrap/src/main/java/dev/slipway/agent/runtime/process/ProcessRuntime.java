package dev.slipway.agent.runtime.process;

import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ContainerRuntimeException;
import dev.slipway.agent.runtime.ContainerSpec;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecResult;
import dev.slipway.agent.runtime.ExecSession;
import dev.slipway.agent.runtime.LogFormat;
import dev.slipway.agent.runtime.SandboxSpec;
import dev.slipway.agent.runtime.SandboxStatus;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods as plain processes on the host network, without isolation (DESIGN.md decision 8, for laptops
 * and the local quickstart). A container is a process in its own session and process group, so a
 * stop reaches everything it started; its stdout and stderr go raw to the log file. State lives in
 * one JSON file per sandbox and per container, so a new runtime over the same folder adopts the
 * processes still running (same pid and same start time) instead of starting them again.
 *
 * <p>Not supported, by design: mounts (a process sees the host's files), CPU and memory limits,
 * port mappings (the pod listens on the node's ports directly).
 */
public final class ProcessRuntime implements ContainerRuntime {

  private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
  private static final String HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  // The wrapper is the group leader; it waits for the command through a SIGTERM (trap :), then writes
  // the exit code to a file, so the code survives an agent restart. "$0" is that file.
  private static final String WRAPPER = "trap : TERM INT; \"$@\"; code=$?; echo $code > \"$0\"; exit $code";
  private static final int SIGKILL_EXIT = 137;
  private static final int SIGTERM = 15;
  private static final Duration WRAPPER_READY = Duration.ofSeconds(5);

  private final Path sandboxDir;
  private final Path containerDir;
  private final String nodeAddress;
  private final Map<String, HostImage> images;
  private final Map<String, ProcessRecords.Sandbox> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ProcessRecords.Container> containers = new ConcurrentHashMap<>();
  private final Set<String> killedByUs = ConcurrentHashMap.newKeySet();
  /** Once closed, this runtime records nothing more: the next one over the folder owns the records. */
  private volatile boolean closed;

  /** Opens (or adopts) the runtime state under {@code <root>/var/lib/slipway/pods}. */
  public static ProcessRuntime open(AgentPaths paths, String nodeAddress) {
    return new ProcessRuntime(paths.stateDir().resolve("pods"), nodeAddress, HostImage.DEFAULTS);
  }

  public ProcessRuntime(Path stateDir, String nodeAddress, Map<String, HostImage> images) {
    this.sandboxDir = stateDir.resolve("sandboxes");
    this.containerDir = stateDir.resolve("containers");
    this.nodeAddress = nodeAddress;
    this.images = Map.copyOf(images);
    try {
      Files.createDirectories(sandboxDir);
      Files.createDirectories(containerDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create process runtime state folder " + stateDir, e);
    }
    load();
  }

  @Override
  public String version() {
    return "process://1";
  }

  @Override
  public LogFormat logFormat() {
    return LogFormat.PLAIN;
  }

  // ---- sandboxes ----

  @Override
  public synchronized String runPodSandbox(SandboxSpec spec) {
    sandboxes.values().stream()
        .filter(s -> s.name().equals(spec.name()) && s.namespace().equals(spec.namespace())
            && s.uid().equals(spec.uid()) && s.attempt() == spec.attempt())
        .findAny()
        .ifPresent(s -> {
          throw new ContainerRuntimeException("sandbox " + spec.fullName() + " exists already as " + s.id());
        });
    if (!spec.ports().isEmpty()) {
      log.debug("process runtime maps no ports; pod {} listens on the node's ports directly", spec.fullName());
    }
    var sandbox = new ProcessRecords.Sandbox(newId(), spec.name(), spec.namespace(), spec.uid(), spec.attempt(),
        spec.labels(), Instant.now(), true);
    save(sandboxDir, sandbox.id(), sandbox);
    sandboxes.put(sandbox.id(), sandbox);
    return sandbox.id();
  }

  @Override
  public void stopPodSandbox(String sandboxId) {
    ProcessRecords.Sandbox sandbox = sandboxes.get(sandboxId);
    if (sandbox == null) {
      return;
    }
    // CRI semantics: stopping a sandbox kills its containers at once; the kubelet stops them gracefully before.
    containersOf(sandboxId).stream().filter(c -> c.phase().equals(ProcessRecords.Container.RUNNING))
        .forEach(c -> stopContainer(c.id(), Duration.ZERO));
    synchronized (this) {
      var stopped = sandbox.stopped();
      save(sandboxDir, sandboxId, stopped);
      sandboxes.put(sandboxId, stopped);
    }
  }

  @Override
  public void removePodSandbox(String sandboxId) {
    if (!sandboxes.containsKey(sandboxId)) {
      return;
    }
    stopPodSandbox(sandboxId);
    containersOf(sandboxId).forEach(c -> removeContainer(c.id()));
    synchronized (this) {
      delete(sandboxDir.resolve(sandboxId + ".json"));
      sandboxes.remove(sandboxId);
    }
  }

  @Override
  public List<SandboxStatus> listPodSandboxes() {
    return sandboxes.values().stream().map(s -> s.status(nodeAddress))
        .sorted(Comparator.comparing(SandboxStatus::createdAt)).toList();
  }

  @Override
  public Optional<SandboxStatus> podSandboxStatus(String sandboxId) {
    return Optional.ofNullable(sandboxes.get(sandboxId)).map(s -> s.status(nodeAddress));
  }

  // ---- containers ----

  @Override
  public synchronized String createContainer(String sandboxId, ContainerSpec spec) {
    ProcessRecords.Sandbox sandbox = sandboxes.get(sandboxId);
    if (sandbox == null || !sandbox.ready()) {
      throw new ContainerRuntimeException("cannot create container " + spec.name() + ": sandbox " + sandboxId
          + (sandbox == null ? " does not exist" : " is stopped"));
    }
    HostImage image = images.get(spec.image());
    if (image == null) {
      throw new ContainerRuntimeException("cannot create container " + spec.name() + ": image " + spec.image()
          + " is not one the process runtime can run (it runs host programs only); known images: " + images.keySet().stream().sorted().toList());
    }
    List<String> argv = image.argv(spec.command(), spec.args());
    if (argv.isEmpty()) {
      throw new ContainerRuntimeException("cannot create container " + spec.name() + ": neither it nor image " + spec.image() + " names a command");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", HOST_PATH);
    env.put("HOSTNAME", sandbox.name());
    env.putAll(spec.env());
    Path program = hostProgram(argv.getFirst(), env.get("PATH"))
        .orElseThrow(() -> new ContainerRuntimeException("cannot create container " + spec.name() + ": command "
            + argv.getFirst() + " is not an executable program on this host (PATH " + env.get("PATH") + ")"));
    List<String> resolved = new ArrayList<>(argv);
    resolved.set(0, program.toString());
    String workingDir = spec.workingDir().isEmpty() ? "/" : spec.workingDir();
    if (!Files.isDirectory(Path.of(workingDir))) {
      throw new ContainerRuntimeException("cannot create container " + spec.name() + ": working directory " + workingDir + " does not exist on this host");
    }
    var container = new ProcessRecords.Container(newId(), sandboxId, spec.name(), spec.attempt(), spec.image(),
        resolved, env, workingDir, spec.logPath(), spec.labels(), Instant.now(),
        ProcessRecords.Container.CREATED, 0, null, null, null, 0, "");
    save(containerDir, container.id(), container);
    containers.put(container.id(), container);
    return container.id();
  }

  @Override
  public synchronized void startContainer(String containerId) {
    ProcessRecords.Container container = container(containerId);
    if (!container.phase().equals(ProcessRecords.Container.CREATED)) {
      throw new ContainerRuntimeException("cannot start container " + containerId + " (" + container.name() + "): it is " + container.phase() + ", not created");
    }
    Path exitFile = exitFile(containerId);
    delete(exitFile);
    List<String> command = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", WRAPPER, exitFile.toString()));
    command.addAll(container.argv());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(new File(container.workingDir()))
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(container.env());
    try {
      Files.createDirectories(container.logPath().getParent());
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(container.logPath().toFile()));
      Process process = builder.start();
      ProcessHandle handle = process.toHandle();
      Instant processStart = handle.info().startInstant().orElse(Instant.now());
      var running = container.running(process.pid(), processStart, Instant.now());
      save(containerDir, containerId, running);
      containers.put(containerId, running);
      watch(containerId, handle);
      awaitWrapperReady(process);
      log.info("started container {} ({}) pid {}: {}", container.name(), containerId, process.pid(), container.argv());
    } catch (IOException e) {
      var failed = container.exited(Instant.now(), 128, "StartError: " + e.getMessage());
      save(containerDir, containerId, failed);
      containers.put(containerId, failed);
      throw new ContainerRuntimeException("cannot start container " + container.name() + " (" + containerId + "): " + e.getMessage(), e);
    }
  }

  @Override
  public void stopContainer(String containerId, Duration grace) {
    ProcessRecords.Container container = container(containerId);
    if (!container.phase().equals(ProcessRecords.Container.RUNNING)) {
      return;
    }
    Optional<ProcessHandle> handle = liveProcess(container);
    if (handle.isEmpty()) {
      finish(containerId);
      return;
    }
    ProcessHandle leader = handle.get();
    if (grace.isPositive()) {
      signalGroup(container.pid(), "TERM");
      try {
        leader.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.info("container {} ({}) still runs {} ms after SIGTERM; killing it", container.name(), containerId, grace.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        throw new ContainerRuntimeException("waiting for container " + containerId + " failed", e);
      }
    }
    if (leader.isAlive()) {
      killedByUs.add(containerId);
    }
    // Whatever the leader did, nothing of the group may outlive the container.
    signalGroup(container.pid(), "KILL");
    leader.onExit().join();
    finish(containerId);
  }

  @Override
  public void removeContainer(String containerId) {
    ProcessRecords.Container container = containers.get(containerId);
    if (container == null) {
      return;
    }
    stopContainer(containerId, Duration.ZERO);
    synchronized (this) {
      delete(containerDir.resolve(containerId + ".json"));
      delete(exitFile(containerId));
      containers.remove(containerId);
      killedByUs.remove(containerId);
    }
  }

  @Override
  public List<ContainerStatus> listContainers(String sandboxId) {
    return containersOf(sandboxId).stream().map(ProcessRecords.Container::status).toList();
  }

  @Override
  public Optional<ContainerStatus> containerStatus(String containerId) {
    return Optional.ofNullable(containers.get(containerId)).map(ProcessRecords.Container::status);
  }

  // ---- exec ----

  @Override
  public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    Process process = startExec(containerId, command);
    try {
      process.getOutputStream().close();
      var out = new CompletableFuture<byte[]>();
      var err = new CompletableFuture<byte[]>();
      Thread.ofVirtual().start(() -> out.complete(readAll(process.getInputStream())));
      Thread.ofVirtual().start(() -> err.complete(readAll(process.getErrorStream())));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new ContainerRuntimeException("exec " + command + " in container " + containerId + " did not finish within " + timeout.toMillis() + " ms");
      }
      return new ExecResult(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new ContainerRuntimeException("exec " + command + " in container " + containerId + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerRuntimeException("exec " + command + " in container " + containerId + " was interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new ContainerRuntimeException("exec " + command + " in container " + containerId + ": cannot read its output", e);
    }
  }

  @Override
  public ExecSession exec(String containerId, List<String> command) {
    return new ProcessExecSession(startExec(containerId, command));
  }

  // ---- images: the allow-list stands in for an image store ----

  @Override
  public boolean hasImage(String image) {
    return images.containsKey(image);
  }

  @Override
  public List<String> importImages(Path tarball) {
    log.debug("process runtime ignores image bundle {}: it runs host programs only", tarball);
    return List.of();
  }

  @Override
  public void removeImage(String image) {
    // Nothing to remove: host programs are not ours.
  }

  @Override
  public void close() {
    // Containers keep running; a later runtime over the same folder adopts them and records how they end
    // (from the wrapper's exit file), so this one must not write those records as well.
    closed = true;
  }

  // ---- inside ----

  private Process startExec(String containerId, List<String> command) {
    ProcessRecords.Container container = container(containerId);
    if (!container.phase().equals(ProcessRecords.Container.RUNNING)) {
      throw new ContainerRuntimeException("cannot exec in container " + container.name() + " (" + containerId + "): it is " + container.phase());
    }
    if (command.isEmpty()) {
      throw new ContainerRuntimeException("cannot exec in container " + containerId + ": empty command");
    }
    Path program = hostProgram(command.getFirst(), container.env().getOrDefault("PATH", HOST_PATH))
        .orElseThrow(() -> new ContainerRuntimeException("cannot exec in container " + containerId + ": " + command.getFirst() + " is not a program on this host"));
    List<String> argv = new ArrayList<>(command);
    argv.set(0, program.toString());
    ProcessBuilder builder = new ProcessBuilder(argv).directory(new File(container.workingDir()));
    builder.environment().clear();
    builder.environment().putAll(container.env());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot exec " + command + " in container " + containerId + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private void load() {
    readAll(sandboxDir, ProcessRecords.Sandbox.class).forEach(s -> sandboxes.put(s.id(), s));
    for (ProcessRecords.Container c : readAll(containerDir, ProcessRecords.Container.class)) {
      containers.put(c.id(), c);
      if (c.phase().equals(ProcessRecords.Container.RUNNING)) {
        Optional<ProcessHandle> live = liveProcess(c);
        if (live.isPresent()) {
          log.info("adopting container {} ({}) pid {}", c.name(), c.id(), c.pid());
          watch(c.id(), live.get());
        } else {
          finish(c.id());
        }
      }
    }
  }

  /** The container's process, only if the pid still names the very process we started (same start time). */
  private static Optional<ProcessHandle> liveProcess(ProcessRecords.Container c) {
    return ProcessHandle.of(c.pid())
        .filter(ProcessHandle::isAlive)
        .filter(p -> c.processStart() != null && p.info().startInstant().map(c.processStart()::equals).orElse(false));
  }

  private void watch(String containerId, ProcessHandle handle) {
    handle.onExit().thenRun(() -> finish(containerId));
  }

  /** Records how a running container ended, from the wrapper's exit file. */
  private synchronized void finish(String containerId) {
    ProcessRecords.Container c = containers.get(containerId);
    if (closed || c == null || !c.phase().equals(ProcessRecords.Container.RUNNING)) {
      return;
    }
    Optional<Integer> code = readExitCode(containerId);
    ProcessRecords.Container ended;
    if (code.isPresent()) {
      ended = c.exited(Instant.now(), code.get(), code.get() == 0 ? "Completed" : "Error");
    } else if (killedByUs.contains(containerId)) {
      ended = c.exited(Instant.now(), SIGKILL_EXIT, "Error");
    } else {
      ended = c.unknown("process " + c.pid() + " ended without recording its exit code (killed from outside?)");
    }
    save(containerDir, containerId, ended);
    containers.put(containerId, ended);
  }

  /**
   * Waits (bounded) until the wrapper leads its own process group and catches SIGTERM, so that a stop
   * right after the start reaches the command instead of a group that does not exist yet.
   */
  private static void awaitWrapperReady(Process process) {
    long deadline = System.nanoTime() + WRAPPER_READY.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      if (wrapperReady(process.pid())) {
        return;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static boolean wrapperReady(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name "(...)": state, ppid, pgrp.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      if (Long.parseLong(fields[2]) != pid) {
        return false;
      }
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(line -> line.startsWith("SigCgt:"))
          .map(line -> Long.parseUnsignedLong(line.substring(7).strip(), 16))
          .anyMatch(caught -> (caught & (1L << (SIGTERM - 1))) != 0);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private Optional<Integer> readExitCode(String containerId) {
    try {
      return Optional.of(Integer.parseInt(Files.readString(exitFile(containerId)).strip()));
    } catch (NoSuchFileException | NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read exit code file " + exitFile(containerId), e);
    }
  }

  private static void signalGroup(long pgid, String signal) {
    try {
      // Java can signal one process only; kill(1) reaches the whole group, as a container stop must.
      Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new ContainerRuntimeException("cannot send SIG" + signal + " to process group " + pgid + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<ProcessRecords.Container> containersOf(String sandboxId) {
    return containers.values().stream().filter(c -> c.sandboxId().equals(sandboxId))
        .sorted(Comparator.comparing(ProcessRecords.Container::createdAt)).toList();
  }

  private ProcessRecords.Container container(String containerId) {
    ProcessRecords.Container c = containers.get(containerId);
    if (c == null) {
      throw new ContainerRuntimeException("container " + containerId + " does not exist");
    }
    return c;
  }

  private Path exitFile(String containerId) {
    return containerDir.resolve(containerId + ".exit");
  }

  static Optional<Path> hostProgram(String name, String searchPath) {
    if (name.contains("/")) {
      Path p = Path.of(name);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    return Stream.of(searchPath.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
  }

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static void save(Path dir, String id, Object record) {
    Path file = dir.resolve(id + ".json");
    try {
      Path temp = Files.createTempFile(dir, "." + id, ".tmp");
      Files.writeString(temp, AgentFormats.JSON.writeValueAsString(record));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write process runtime state " + file, e);
    }
  }

  private static <T> List<T> readAll(Path dir, Class<T> type) {
    List<T> records = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().startsWith(".")).toList()) {
        try {
          records.add(AgentFormats.JSON.readValue(Files.readString(file), type));
        } catch (RuntimeException e) {
          log.warn("ignoring unreadable process runtime state {}: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read process runtime state in " + dir, e);
    }
    return records;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }
}
