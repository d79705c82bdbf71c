package dev.slipway.agent.etcd;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.InvalidAgentConfigException;
import dev.slipway.agent.process.AgentLock;
import dev.slipway.agent.snapshot.SnapshotException;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores this machine's etcd member from a snapshot, with the agent stopped: verify the file,
 * restore into a fresh data dir with etcd's own tool, point the agent config at it, and set the
 * old data dir aside (never delete it). A failure before the config is written changes nothing.
 */
public final class EtcdRestore {

  private static final Logger log = LoggerFactory.getLogger(EtcdRestore.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** How the snapshot file is checked before use. */
  public sealed interface Check {
    /** Against the sha256 in its {@code .json} sidecar. */
    record Sidecar() implements Check {}
    /** Against a digest the caller knows (hex sha256). */
    record Digest(String sha256) implements Check {}
  }

  /** The new member identity for the restored cluster. */
  public record Request(Path snapshot, Check check, String name, String initialCluster, String token) {}

  /** Where the member's data now lives, and where the previous data dir was set aside (when there was one). */
  public record Restored(Path dataDir, Optional<Path> setAside) {}

  private final AgentPaths paths;
  private final Clock clock;

  public EtcdRestore(AgentPaths paths) {
    this(paths, Clock.systemUTC());
  }

  EtcdRestore(AgentPaths paths, Clock clock) {
    this.paths = paths;
    this.clock = clock;
  }

  public Restored restore(Request request) {
    AgentConfig config = AgentConfig.read(paths.configFile());
    EtcdMemberConfig member = config.etcd().orElseThrow(() ->
        new InvalidAgentConfigException("host " + config.host().name() + " in " + paths.configFile() + " runs no etcd member"));
    refuseWhileRunning();
    String expected = switch (request.check()) {
      case Check.Sidecar() -> SnapshotMetadata.read(SnapshotMetadata.sidecarOf(request.snapshot())).sha256();
      case Check.Digest(String sha256) -> sha256;
    };
    SnapshotMetadata.verify(request.snapshot(), expected);

    String stamp = STAMP.format(clock.instant());
    EtcdMemberConfig restored = member.withRestore(request.name(), request.name() + "-" + stamp, request.initialCluster(), request.token());
    Path oldDataDir = paths.etcdDataDir(member.dataDirName());
    Path newDataDir = paths.etcdDataDir(restored.dataDirName());
    if (Files.exists(newDataDir)) {
      throw new IllegalStateException(newDataDir + " already exists; a restore ran in this same second? try again");
    }
    runRestoreTool(request, restored, newDataDir);

    config.withEtcd(restored).write(paths.configFile());
    Optional<Path> setAside = Optional.empty();
    if (Files.exists(oldDataDir)) {
      Path aside = oldDataDir.resolveSibling(oldDataDir.getFileName() + ".before-restore-" + stamp);
      try {
        Files.move(oldDataDir, aside);
        setAside = Optional.of(aside);
      } catch (IOException e) {
        // The config already points at the restored data; the old folder only stays where it was.
        log.warn("restored, but could not set {} aside: {}", oldDataDir, e.getMessage());
      }
    }
    log.info("etcd member {} restored from {} into {}", request.name(), request.snapshot(), newDataDir);
    return new Restored(newDataDir, setAside);
  }

  private void refuseWhileRunning() {
    if (AgentLock.isHeld(paths)) {
      throw new IllegalStateException("the agent for " + paths.root() + " is running; stop it first (slipway-agent stop --root "
          + paths.root() + ")");
    }
    EtcdSupervisor.runningFor(paths).ifPresent(p -> {
          throw new IllegalStateException("etcd pid " + p.pid() + " still serves " + paths.etcdDataParent()
              + "; stop it first (slipway-agent stop --root " + paths.root() + ")");
        });
  }

  private void runRestoreTool(Request request, EtcdMemberConfig restored, Path dataDir) {
    Path tool = restoreTool(restored.binary());
    List<String> command = new ArrayList<>(List.of(tool.toString(), "snapshot", "restore", request.snapshot().toString(),
        "--name=" + restored.name(),
        "--initial-cluster=" + restored.initialCluster(),
        "--initial-cluster-token=" + restored.initialClusterToken(),
        "--initial-advertise-peer-urls=" + restored.peerUrl(),
        "--data-dir=" + dataDir));
    try {
      Files.createDirectories(paths.etcdDataParent());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("ETCDCTL_API", "3");
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        deleteTree(dataDir);
        throw new SnapshotException("restoring " + request.snapshot() + " with " + tool + " failed: " + output.strip());
      }
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      deleteTree(dataDir);
      throw new UncheckedIOException("cannot run " + tool + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deleteTree(dataDir);
      throw new SnapshotException("restore of " + request.snapshot() + " was interrupted", e);
    }
  }

  /** etcdutl (etcd 3.5+) where it exists, else etcdctl (3.4): beside the etcd binary first, then on PATH. */
  static Path restoreTool(Path etcdBinary) {
    List<Path> candidates = new ArrayList<>();
    for (String tool : List.of("etcdutl", "etcdctl")) {
      candidates.add(etcdBinary.resolveSibling(tool));
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
        candidates.add(Path.of(dir, tool));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new SnapshotException("neither etcdutl nor etcdctl was found beside " + etcdBinary + " or on PATH"));
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("could not remove the partial restore {}: {}", dir, e.getMessage());
    }
  }
}
