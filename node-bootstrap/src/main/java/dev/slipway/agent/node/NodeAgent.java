package dev.slipway.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this machine's Node, then every 10 s renews its Lease {@code kube-node-lease/<node>}
 * and checks its status (Ready from the kubelet's own health); a change of readiness is reported
 * at once through {@link #statusChanged()}. The Lease is the heartbeat, so the Node's status is
 * written only when it says something new or its last report is older than
 * {@link #STATUS_REPORT_PERIOD}: with many nodes, writing it every round would be most of the
 * API server's work. Nor is the Node read every round: only this agent writes its status, so the Node
 * as the agent last wrote it stands until a write is refused (someone changed the Node since: it is
 * read afresh and the report written again) or a round fails (read afresh next round); a status
 * someone else wrote is thus corrected within {@link #STATUS_REPORT_PERIOD} at the latest.
 * Every request of the heartbeat gives up after
 * {@link #REQUEST_TIMEOUT} without retrying: the next round goes out on time instead of waiting
 * on a master that died under a connection.
 */
public final class NodeAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  public static final Duration PERIOD = Duration.ofSeconds(10);
  static final int LEASE_SECONDS = 40;
  static final String LEASE_NAMESPACE = "kube-node-lease";
  /** Well inside the Lease's 40 s, so that one hung request cannot cost the node its heartbeat. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How old the Node's last status report may grow while nothing in it changes. */
  static final Duration STATUS_REPORT_PERIOD = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final NodeDescription description;
  private final BooleanSupplier ready;
  private final Clock clock;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Object wake = new Object();
  private boolean changed;
  private Thread loop;
  /** The Lease as this agent last wrote it, renewed without reading it first; null: read it. */
  private Lease lease;
  /** The Node as this agent last read or wrote it; null: read it. */
  private Node node;

  public NodeAgent(KubernetesClient client, NodeDescription description, BooleanSupplier ready, Clock clock) {
    this.client = bounded(client);
    this.description = description;
    this.ready = ready;
    this.clock = clock;
  }

  /** The same connection pool and identity, with the heartbeat's timeout and no retries of its own. */
  private static KubernetesClient bounded(KubernetesClient client) {
    RequestConfig heartbeat = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
        .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis()).withRequestRetryBackoffLimit(0).build();
    return client.newClient(heartbeat).adapt(KubernetesClient.class);
  }

  /** Starts the lease and status loop; {@link #register()} first. */
  public synchronized void start() {
    loop = Thread.ofVirtual().name("node-status").start(this::run);
  }

  /** Registers the Node, or brings the labels, taints and pod range of an existing one up to date; then reports status. */
  public void register() {
    Node existing = client.nodes().withName(description.name()).get();
    if (existing == null) {
      try {
        client.nodes().resource(description.node(clock.instant())).create();
        log.info("registered node {}", description.name());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        existing = client.nodes().withName(description.name()).get();
      }
    }
    if (existing != null) {
      description.podCidrConflict(existing).ifPresent(registered -> log.warn(
          "node {} keeps the pod range {} it was registered with; this host's configuration says {} (a Node's pod range is set once:"
              + " delete the Node to register it with the new one)", description.name(), registered, description.podCidr()));
      client.nodes().resource(description.merged(existing)).update();
      log.info("node {} was registered already; labels, taints and pod range brought up to date", description.name());
    }
    node = null;
    reportStatus();
  }

  /** Asks for a status report now (readiness changed). */
  public void statusChanged() {
    synchronized (wake) {
      changed = true;
      wake.notifyAll();
    }
  }

  private void run() {
    while (closed.getCount() > 0) {
      try {
        renewLease();
        reportStatus();
      } catch (RuntimeException e) {
        if (closed.getCount() == 0) {
          return; // closing: the client may be closed under the request; nothing failed that matters
        }
        node = null; // whatever happened meanwhile (a master marking the node unreachable) is read next round
        log.warn("node {}: lease or status update failed: {}", description.name(), e.getMessage());
      }
      try {
        synchronized (wake) {
          long until = System.nanoTime() + PERIOD.toNanos();
          while (!changed && closed.getCount() > 0 && System.nanoTime() < until) {
            TimeUnit.NANOSECONDS.timedWait(wake, until - System.nanoTime());
          }
          changed = false;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void renewLease() {
    var leases = client.leases().inNamespace(LEASE_NAMESPACE);
    ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (lease != null) {
      try {
        lease = leases.resource(renewed(lease, now)).update();
        return;
      } catch (KubernetesClientException e) {
        lease = null; // changed or deleted by someone else (or our last write's answer was lost): read it afresh
        if (e.getCode() != 409 && e.getCode() != 404) {
          throw e;
        }
      }
    }
    Lease existing = leases.withName(description.name()).get();
    if (existing != null) {
      lease = leases.resource(renewed(existing, now)).update();
      return;
    }
    Node node = client.nodes().withName(description.name()).get();
    LeaseBuilder builder = new LeaseBuilder().withNewMetadata().withName(description.name()).withNamespace(LEASE_NAMESPACE).endMetadata()
        .withNewSpec().withHolderIdentity(description.name()).withLeaseDurationSeconds(LEASE_SECONDS).withRenewTime(now).endSpec();
    if (node != null) {
      builder.editMetadata().addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(node.getMetadata().getName())
          .withUid(node.getMetadata().getUid()).endOwnerReference().endMetadata();
    }
    lease = leases.resource(builder.build()).create();
  }

  private Lease renewed(Lease current, ZonedDateTime now) {
    Lease copy = new LeaseBuilder(current).build();
    copy.getSpec().setRenewTime(now);
    copy.getSpec().setHolderIdentity(description.name());
    copy.getSpec().setLeaseDurationSeconds(LEASE_SECONDS);
    return copy;
  }

  void reportStatus() {
    boolean fromMemory = node != null;
    Node current = fromMemory ? node : client.nodes().withName(description.name()).get();
    node = null;
    if (current == null) {
      log.warn("node {} is gone from the API; registering it again", description.name());
      client.nodes().resource(description.node(clock.instant())).create();
      return;
    }
    boolean isReady = ready.getAsBoolean();
    Instant now = clock.instant();
    List<NodeCondition> previous = current.getStatus() == null || current.getStatus().getConditions() == null ? List.of()
        : current.getStatus().getConditions();
    NodeStatus status = description.status(isReady, isReady ? "kubelet is posting ready status" : "container runtime is not ready",
        now, previous);
    if (current.getStatus() != null && withoutHeartbeats(current.getStatus()).equals(withoutHeartbeats(status))
        && !lastReport(previous).plus(STATUS_REPORT_PERIOD).isBefore(now)) {
      node = current;
      return;
    }
    current.setStatus(status);
    try {
      node = client.nodes().resource(current).updateStatus();
    } catch (KubernetesClientException e) {
      if ((e.getCode() != 409 && e.getCode() != 404) || !fromMemory) {
        throw e;
      }
      reportStatus(); // changed or deleted by someone else since this agent's last write: read it and report on what it says now
    }
  }

  private static NodeStatus withoutHeartbeats(NodeStatus status) {
    NodeStatus copy = new NodeStatusBuilder(status).build();
    if (copy.getConditions() != null) {
      copy.getConditions().forEach(c -> c.setLastHeartbeatTime(null));
    }
    return copy;
  }

  /** When the status was last reported: the Ready condition's heartbeat; never, when it has none. */
  private static Instant lastReport(List<NodeCondition> conditions) {
    return conditions.stream().filter(c -> "Ready".equals(c.getType()) && c.getLastHeartbeatTime() != null)
        .map(c -> Instant.parse(c.getLastHeartbeatTime())).findFirst().orElse(Instant.EPOCH);
  }

  /** When the lease was last renewed, as the API holds it. */
  public static Instant renewTime(Lease lease) {
    return lease.getSpec().getRenewTime().toInstant();
  }

  @Override
  public synchronized void close() {
    closed.countDown();
    statusChanged();
    if (loop != null) {
      loop.interrupt();
    }
  }
}
