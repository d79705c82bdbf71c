package dev.slipway.agent;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.process.AgentLock;
import dev.slipway.agent.process.PidFile;
import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import io.etcd.jetcd.Client;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code status}: one JSON object the provisioner parses:
 * {@code {"root", "agentPid", "etcdPid", "etcdHealthy", "configDigest"}}; pids are null when not running,
 * the digest is {@code sha256:<hex>} of agent.yaml or null when there is none.
 */
@Command(name = "status", description = "Print the agent's state as JSON: agent pid, etcd pid, etcd health, config digest.")
final class StatusCommand implements Callable<Integer> {

  @Mixin RootOption root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    AgentPaths paths = root.paths();
    Optional<Long> agentPid = new PidFile(paths.agentPidFile()).liveProcess().filter(p -> AgentLock.isHeld(paths)).map(ProcessHandle::pid);
    Optional<Long> etcdPid = new PidFile(paths.etcdPidFile()).liveProcess().map(ProcessHandle::pid);
    boolean configured = Files.exists(paths.configFile());
    boolean healthy = false;
    if (configured && etcdPid.isPresent()) {
      Optional<AgentConfig> config = Optional.of(AgentConfig.read(paths.configFile()));
      healthy = config.flatMap(AgentConfig::etcd).map(member -> {
        try (Client client = EtcdAccess.ofMember(member).connect()) {
          return EtcdAccess.healthy(client, Duration.ofSeconds(3));
        }
      }).orElse(false);
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("root", paths.root().toString());
    status.put("agentPid", agentPid.orElse(null));
    status.put("etcdPid", etcdPid.orElse(null));
    status.put("etcdHealthy", healthy);
    status.put("configDigest", configured ? "sha256:" + SnapshotMetadata.sha256(paths.configFile()) : null);
    spec.commandLine().getOut().println(AgentFormats.JSON.writeValueAsString(status));
    return 0;
  }
}
