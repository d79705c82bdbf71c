package dev.slipway.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import tools.jackson.core.JacksonException;

/**
 * Everything the agent on one machine needs to know, read from {@code <root>/etc/slipway/agent.yaml}.
 * The provisioner writes it with {@link #write(Path)}; the agent reads it with {@link #read(Path)}.
 *
 * @param etcd present when this machine is an etcd member
 * @param apiServer present when this machine is a master that serves the API
 * @param kubelet present when this machine runs pods (workers, and masters that also run them)
 */
public record AgentConfig(
    String cluster,
    HostIdentity host,
    Path rootDir,
    Optional<EtcdMemberConfig> etcd,
    SnapshotSchedule snapshots,
    Optional<ApiServerSection> apiServer,
    Optional<KubeletSection> kubelet) {

  public AgentConfig {
    ConfigChecks.required(cluster, "cluster");
    ConfigChecks.required(host, "host");
    ConfigChecks.required(rootDir, "rootDir");
    etcd = etcd == null ? Optional.empty() : etcd;
    apiServer = apiServer == null ? Optional.empty() : apiServer;
    kubelet = kubelet == null ? Optional.empty() : kubelet;
    snapshots = snapshots == null ? SnapshotSchedule.DEFAULT : snapshots;
    rootDir = rootDir.toAbsolutePath().normalize();
    if (host.has(NodeRole.ETCD) && etcd.isEmpty()) {
      throw new InvalidAgentConfigException("host " + host.name() + " has the etcd role but no etcd section");
    }
  }

  /** A host without an API server (workers, etcd-only hosts, and masters before the control plane is configured). */
  public AgentConfig(String cluster, HostIdentity host, Path rootDir, Optional<EtcdMemberConfig> etcd, SnapshotSchedule snapshots) {
    this(cluster, host, rootDir, etcd, snapshots, Optional.empty(), Optional.empty());
  }

  /** A host without a kubelet. */
  public AgentConfig(String cluster, HostIdentity host, Path rootDir, Optional<EtcdMemberConfig> etcd, SnapshotSchedule snapshots,
      Optional<ApiServerSection> apiServer) {
    this(cluster, host, rootDir, etcd, snapshots, apiServer, Optional.empty());
  }

  public AgentPaths paths() {
    return new AgentPaths(rootDir);
  }

  public AgentConfig withEtcd(EtcdMemberConfig member) {
    return new AgentConfig(cluster, host, rootDir, Optional.of(member), snapshots, apiServer, kubelet);
  }

  public AgentConfig withApiServer(ApiServerSection section) {
    return new AgentConfig(cluster, host, rootDir, etcd, snapshots, Optional.of(section), kubelet);
  }

  public AgentConfig withKubelet(KubeletSection section) {
    return new AgentConfig(cluster, host, rootDir, etcd, snapshots, apiServer, Optional.of(section));
  }

  public static AgentConfig read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidAgentConfigException("no agent configuration at " + file, e);
    } catch (IOException e) {
      throw new InvalidAgentConfigException("cannot read agent configuration " + file + ": " + e.getMessage(), e);
    }
    try {
      return AgentFormats.YAML.readValue(bytes, AgentConfig.class);
    } catch (JacksonException e) {
      Throwable cause = e.getCause() instanceof InvalidAgentConfigException invalid ? invalid : e;
      throw new InvalidAgentConfigException(
          "agent configuration " + file + " is invalid: " + rootMessage(cause), e);
    }
  }

  /** Writes atomically (temp file, then rename), readable by its owner only. */
  public void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(temp, "# Written by slipway; the agent reads it at start.\n" + AgentFormats.YAML.writeValueAsString(this));
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new InvalidAgentConfigException("cannot write agent configuration " + file + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable t) {
    if (t instanceof InvalidAgentConfigException) {
      return t.getMessage();
    }
    if (t instanceof JacksonException j) {
      return j.getOriginalMessage() + (j.getLocation() == null ? "" : " (line " + j.getLocation().getLineNr() + ")");
    }
    return t.getMessage();
  }
}
