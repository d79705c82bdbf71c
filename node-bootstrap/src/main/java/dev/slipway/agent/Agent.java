package dev.slipway.agent;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.controlplane.ApiServerSupervisor;
import dev.slipway.agent.etcd.EtcdSupervisor;
import dev.slipway.agent.process.AgentLock;
import dev.slipway.agent.process.PidFile;
import dev.slipway.agent.snapshot.PeriodicSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running agent for one root: holds the root's lock and runs what the config's roles ask for. */
final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  private final AgentPaths paths;
  private final AgentLock lock;
  private final Optional<EtcdSupervisor> etcd;
  private final Optional<PeriodicSnapshots> snapshots;
  private final Optional<ApiServerSupervisor> apiServer;
  private final CountDownLatch closed = new CountDownLatch(1);

  private Agent(AgentPaths paths, AgentLock lock, Optional<EtcdSupervisor> etcd, Optional<PeriodicSnapshots> snapshots,
      Optional<ApiServerSupervisor> apiServer) {
    this.paths = paths;
    this.lock = lock;
    this.etcd = etcd;
    this.snapshots = snapshots;
    this.apiServer = apiServer;
  }

  /** The marker {@code stop --leave-etcd} leaves so that the stopping agent spares etcd. */
  static Path leaveEtcdMarker(AgentPaths paths) {
    return paths.stateDir().resolve("agent.stop-leaves-etcd");
  }

  static Agent start(AgentPaths paths) {
    AgentConfig config = AgentConfig.read(paths.configFile());
    if (!config.rootDir().equals(paths.root())) {
      log.warn("{} names root {} but the agent runs for {}; using {}", paths.configFile(), config.rootDir(), paths.root(), paths.root());
    }
    AgentLock lock = AgentLock.tryAcquire(paths).orElseThrow(() -> new IllegalStateException(
        "another slipway-agent" + new PidFile(paths.agentPidFile()).pid().map(pid -> " (pid " + pid + ")").orElse("")
            + " is running for root " + paths.root()));
    new PidFile(paths.agentPidFile()).write(ProcessHandle.current().pid());
    log.info("slipway-agent pid {} for host {} of cluster {} (root {})", ProcessHandle.current().pid(), config.host().name(),
        config.cluster(), paths.root());
    Optional<EtcdSupervisor> etcd = config.etcd().map(member -> new EtcdSupervisor(paths, member));
    Optional<PeriodicSnapshots> snapshots = config.etcd().map(member -> new PeriodicSnapshots(config));
    Optional<ApiServerSupervisor> apiServer = config.host().has(NodeRole.MASTER)
        ? config.apiServer().map(ApiServerSupervisor::new) : Optional.empty();
    Agent agent = new Agent(paths, lock, etcd, snapshots, apiServer);
    try {
      etcd.ifPresent(EtcdSupervisor::start);
      snapshots.ifPresent(PeriodicSnapshots::start);
      apiServer.ifPresent(ApiServerSupervisor::start);
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  /** The in-process API server's URL once it serves (masters with an apiServer section). */
  Optional<java.net.URI> apiServerUrl() {
    return apiServer.flatMap(ApiServerSupervisor::url);
  }

  void awaitClose() throws InterruptedException {
    closed.await();
  }

  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    boolean leaveEtcd = Files.exists(leaveEtcdMarker(paths));
    log.info("slipway-agent stopping{}", leaveEtcd ? "; etcd keeps running" : "");
    apiServer.ifPresent(ApiServerSupervisor::close);
    snapshots.ifPresent(PeriodicSnapshots::close);
    etcd.ifPresent(supervisor -> supervisor.stop(leaveEtcd));
    try {
      Files.deleteIfExists(leaveEtcdMarker(paths));
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", leaveEtcdMarker(paths), e.getMessage());
    }
    new PidFile(paths.agentPidFile()).delete();
    lock.close();
    closed.countDown();
    log.info("slipway-agent stopped");
  }
}
