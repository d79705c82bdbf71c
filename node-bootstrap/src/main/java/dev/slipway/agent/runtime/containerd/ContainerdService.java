package dev.slipway.agent.runtime.containerd;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.process.PidFile;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's containerd: writes its configuration (from {@code templates/containerd/config.toml})
 * and the CNI bridge network, starts {@code containerd --config ...} in its own session with its log
 * in {@code <root>/var/log/slipway/containerd.log}, and waits for its socket. Every path hangs under
 * the agent's root, so several test hosts on one machine each run their own containerd.
 * A containerd that already runs for this root is adopted; stopping it leaves pods running.
 */
public final class ContainerdService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ContainerdService.class);
  public static final String PAUSE_IMAGE = "slipway.dev/pause:1";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /**
   * How to run containerd here. {@code launchPrefix} runs before the command (e.g. {@code ip netns exec NAME}
   * for a test network namespace); {@code bridge} names the node's CNI bridge; {@code podCidr} is the node's pod range.
   */
  public record Settings(String containerdBinary, Path cniBinDir, String podCidr, String bridge, String sandboxImage,
      List<String> launchPrefix, Duration startTimeout) {

    public Settings {
      Objects.requireNonNull(containerdBinary, "containerdBinary");
      Objects.requireNonNull(cniBinDir, "cniBinDir");
      if (podCidr == null || !podCidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
        throw new IllegalArgumentException("pod CIDR must be an IPv4 range like 10.244.1.0/24, got " + podCidr);
      }
      if (bridge == null || !bridge.matches("[A-Za-z0-9_.-]{1,15}")) {
        throw new IllegalArgumentException("bridge name must be 1-15 letters, digits, '.', '_' or '-', got " + bridge);
      }
      Objects.requireNonNull(sandboxImage, "sandboxImage");
      launchPrefix = List.copyOf(launchPrefix);
      Objects.requireNonNull(startTimeout, "startTimeout");
    }

    public static Settings forPodCidr(String podCidr) {
      return new Settings("containerd", Path.of("/usr/lib/cni"), podCidr, "slipway0", PAUSE_IMAGE, List.of(), Duration.ofSeconds(30));
    }

    public Settings withLaunchPrefix(List<String> prefix) {
      return new Settings(containerdBinary, cniBinDir, podCidr, bridge, sandboxImage, prefix, startTimeout);
    }

    public Settings withBridge(String name) {
      return new Settings(containerdBinary, cniBinDir, podCidr, name, sandboxImage, launchPrefix, startTimeout);
    }
  }

  private final AgentPaths paths;
  private final Settings settings;
  private final PidFile pidFile;
  private volatile ProcessHandle process;

  public ContainerdService(AgentPaths paths, Settings settings) {
    this.paths = paths;
    this.settings = settings;
    this.pidFile = new PidFile(paths.stateDir().resolve("containerd.pid"));
  }

  public Path rootDir() {
    return paths.stateDir().resolve("containerd");
  }

  public Path stateDir() {
    return paths.root().resolve("run/slipway/containerd");
  }

  public Path socket() {
    return rootDir().resolve("containerd.sock");
  }

  public Path configFile() {
    return paths.root().resolve("etc/slipway/containerd/config.toml");
  }

  public Path cniConfDir() {
    return paths.root().resolve("etc/slipway/cni/net.d");
  }

  public Path ipamDir() {
    return paths.stateDir().resolve("cni/networks");
  }

  public Path logFile() {
    return paths.logDir().resolve("containerd.log");
  }

  /** Writes the configuration, then adopts the running containerd of this root or starts one; returns once its socket answers. */
  public synchronized void start() {
    writeConfiguration();
    Optional<ProcessHandle> running = pidFile.liveProcess()
        .filter(p -> PidFile.commandLine(p.pid()).contains(configFile().toString()));
    if (running.isPresent()) {
      log.info("adopting containerd pid {} for {}", running.get().pid(), configFile());
      process = running.get();
    } else {
      process = launch();
    }
    awaitSocket();
  }

  /** The running containerd, if any. */
  public Optional<ProcessHandle> process() {
    ProcessHandle p = process;
    return p != null && p.isAlive() ? Optional.of(p) : Optional.empty();
  }

  /** Stops containerd (SIGTERM, then SIGKILL); containers keep running under their shims. */
  public synchronized void stop() {
    ProcessHandle p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      p.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("containerd pid {} did not stop within {} s; killing it", p.pid(), STOP_GRACE.toSeconds());
      p.destroyForcibly();
      p.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for containerd pid " + p.pid() + " failed", e);
    }
    pidFile.delete();
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  void writeConfiguration() {
    Map<String, String> values = Map.of(
        "root", rootDir().toString(),
        "state", stateDir().toString(),
        "socket", socket().toString(),
        "sandboxImage", settings.sandboxImage(),
        "cniBinDir", settings.cniBinDir().toString(),
        "cniConfDir", cniConfDir().toString(),
        "bridge", settings.bridge(),
        "podCidr", settings.podCidr(),
        "ipamDir", ipamDir().toString());
    try {
      Files.createDirectories(rootDir());
      Files.createDirectories(stateDir());
      Files.createDirectories(cniConfDir());
      Files.createDirectories(ipamDir());
      Files.createDirectories(configFile().getParent());
      Files.createDirectories(paths.logDir());
      writeIfChanged(configFile(), fill(template("config.toml"), values));
      writeIfChanged(cniConfDir().resolve("10-slipway.conflist"), fill(template("cni.conflist"), values));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write containerd configuration under " + paths.root(), e);
    }
  }

  static String fill(String template, Map<String, String> values) {
    String out = template;
    for (var e : values.entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    int left = out.indexOf("{{");
    if (left >= 0) {
      throw new IllegalStateException("containerd template has an unknown placeholder " + out.substring(left, Math.min(out.length(), out.indexOf("}}", left) + 2)));
    }
    return out;
  }

  private static String template(String name) {
    String resource = "/templates/containerd/" + name;
    try (InputStream in = ContainerdService.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("template " + resource + " is missing from the agent's class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + resource, e);
    }
  }

  private static void writeIfChanged(Path file, String content) throws IOException {
    if (Files.exists(file) && Files.readString(file).equals(content)) {
      return;
    }
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private ProcessHandle launch() {
    // setsid: containerd outlives an agent restart, as the pods it runs must.
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(settings.launchPrefix());
    command.addAll(List.of(settings.containerdBinary(), "--config", configFile().toString()));
    try {
      Files.deleteIfExists(socket());
      Process p = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      pidFile.write(p.pid());
      log.info("started containerd pid {} (config {}, log {})", p.pid(), configFile(), logFile());
      return p.toHandle();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + settings.containerdBinary() + ": " + e.getMessage(), e);
    }
  }

  private void awaitSocket() {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process().isPresent()) {
        throw new IllegalStateException("containerd exited during start; see " + logFile());
      }
      if (answers(socket())) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for containerd's socket " + socket(), e);
      }
    }
    throw new IllegalStateException("containerd's socket " + socket() + " did not answer within "
        + settings.startTimeout().toSeconds() + " s; see " + logFile());
  }

  private static boolean answers(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }
}
