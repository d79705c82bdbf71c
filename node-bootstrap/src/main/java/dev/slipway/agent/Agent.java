package dev.slipway.agent;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.NodeRole;
import dev.slipway.agent.controlplane.ApiServerSupervisor;
import dev.slipway.agent.controlplane.ControlPlaneControllers;
import dev.slipway.agent.etcd.EtcdSupervisor;
import dev.slipway.agent.join.ApiClients;
import dev.slipway.agent.kubelet.NodeServices;
import dev.slipway.agent.process.AgentLock;
import dev.slipway.agent.process.PeriodicHeapCollection;
import dev.slipway.agent.process.PidFile;
import dev.slipway.agent.snapshot.PeriodicSnapshots;
import dev.slipway.controlplane.Backoff;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running agent for one root: holds the root's lock and runs what the config's roles ask for. */
final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  /**
   * The node's first start is retried after 1 s, doubling up to 10 s: on a master it begins while the
   * API servers are still starting, and a flat 10 s left its Node up to that long behind them.
   */
  private static final Backoff NODE_START_RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));

  private final AgentPaths paths;
  private final AgentLock lock;
  private final Optional<EtcdSupervisor> etcd;
  private final Optional<PeriodicSnapshots> snapshots;
  private final Optional<ApiServerSupervisor> apiServer;
  private final Optional<PeriodicHeapCollection> heapCollection = PeriodicHeapCollection.startIfSerialCollector();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile ControlPlaneControllers controllers;
  private volatile NodeServices node;
  private Thread nodeStarter;

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
      apiServer.ifPresent(server -> agent.startControllers(config.host().name(), server,
          config.apiServer().orElseThrow().podEvictionTimeout()));
      if (config.kubelet().isPresent()) {
        agent.startNode(config);
      }
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  /** Joins and runs the kubelet in the background, retrying while no API server answers yet. */
  private synchronized void startNode(AgentConfig config) {
    nodeStarter = Thread.ofPlatform().name("kubelet-start").daemon().start(() -> {
      for (int failures = 1; closed.getCount() > 0; failures++) {
        try {
          NodeServices started = NodeServices.start(config);
          synchronized (this) {
            if (closed.getCount() == 0) {
              started.close();
              return;
            }
            node = started;
          }
          return;
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          log.warn("kubelet could not start: {}; retrying in {} s", ApiClients.describe(e), NODE_START_RETRY.delay(failures).toSeconds());
        }
        try {
          if (closed.await(NODE_START_RETRY.delay(failures).toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** The node's kubelet services once the node has joined. */
  Optional<NodeServices> node() {
    return Optional.ofNullable(node);
  }

  /** Scheduler, controller manager and CSR signer, once the local API server serves (each behind its Lease). */
  private void startControllers(String hostName, ApiServerSupervisor server, Duration podEvictionTimeout) {
    controllers = new ControlPlaneControllers(hostName, paths, server::url, podEvictionTimeout);
    controllers.start();
  }

  /** The in-process API server's URL once it serves (masters with an apiServer section). */
  Optional<URI> apiServerUrl() {
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
    if (nodeStarter != null) {
      nodeStarter.interrupt();
    }
    if (node != null) {
      node.close();
    }
    if (controllers != null) {
      controllers.close();
    }
    apiServer.ifPresent(ApiServerSupervisor::close);
    snapshots.ifPresent(PeriodicSnapshots::close);
    etcd.ifPresent(supervisor -> supervisor.stop(leaveEtcd));
    try {
      Files.deleteIfExists(leaveEtcdMarker(paths));
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", leaveEtcdMarker(paths), e.getMessage());
    }
    heapCollection.ifPresent(PeriodicHeapCollection::close);
    new PidFile(paths.agentPidFile()).delete();
    lock.close();
    closed.countDown();
    log.info("slipway-agent stopped");
  }
}
