package dev.slipway.agent.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the agent keeps its files on one machine; every path hangs under the root ({@code /} on real hosts). */
public record AgentPaths(Path root) {

  public AgentPaths {
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  public Path configFile() {
    return root.resolve("etc/slipway/agent.yaml");
  }

  public Path pkiDir() {
    return root.resolve("etc/slipway/pki");
  }

  public Path stateDir() {
    return root.resolve("var/lib/slipway");
  }

  public Path agentPidFile() {
    return stateDir().resolve("agent.pid");
  }

  public Path etcdPidFile() {
    return stateDir().resolve("etcd.pid");
  }

  /** Folder holding every etcd data dir; a restore adds a new one beside the old. */
  public Path etcdDataParent() {
    return stateDir().resolve("etcd");
  }

  public Path etcdDataDir(String dataDirName) {
    return etcdDataParent().resolve(dataDirName);
  }

  public Path snapshotsDir() {
    return stateDir().resolve("snapshots");
  }

  public Path logDir() {
    return root.resolve("var/log/slipway");
  }

  public Path agentLog() {
    return logDir().resolve("agent.log");
  }

  public Path etcdLog() {
    return logDir().resolve("etcd.log");
  }

  public Path bundleDir() {
    return root.resolve("opt/slipway");
  }

  /** The image bundles (OCI tarballs) the provisioner ships for containerd. */
  public Path imageBundleDir() {
    return bundleDir().resolve("images");
  }

  public Path agentJar() {
    return bundleDir().resolve("slipway-agent.jar");
  }

  public Path etcdBinary() {
    return bundleDir().resolve("bin/etcd");
  }
}
