package dev.slipway.agent.node;

import dev.slipway.agent.config.HostIdentity;
import dev.slipway.agent.config.NodeRole;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Node object this machine registers, and the status it reports: pure functions of the host's
 * identity, its inventory labels and taints, its pod range, and the machine's facts.
 *
 * @param podCidr the node's pod range as the provisioner planned it ({@code spec.podCIDR}, which
 *                is how other nodes learn where this node's pods live), empty when it has none
 */
public record NodeDescription(HostIdentity host, Map<String, String> inventoryLabels, List<String> inventoryTaints, String podCidr,
    MachineFacts facts, String runtimeVersion, int kubeletPort) {

  public static final int MAX_PODS = 110;
  static final String CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";
  static final String KUBELET_VERSION = "v1.32.0-slipway";

  public String name() {
    return host.name();
  }

  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", host.name());
    labels.put("kubernetes.io/os", facts.operatingSystem());
    labels.put("kubernetes.io/arch", facts.architecture());
    labels.put("beta.kubernetes.io/os", facts.operatingSystem());
    labels.put("beta.kubernetes.io/arch", facts.architecture());
    if (host.has(NodeRole.MASTER)) {
      labels.put("node-role.kubernetes.io/control-plane", "");
      labels.put("node-role.kubernetes.io/master", "");
    }
    if (host.has(NodeRole.WORKER)) {
      labels.put("node-role.kubernetes.io/worker", "");
    }
    labels.putAll(inventoryLabels);
    return labels;
  }

  public List<Taint> taints() {
    List<Taint> taints = new ArrayList<>();
    for (String text : inventoryTaints) {
      int colon = text.lastIndexOf(':');
      String keyValue = text.substring(0, colon);
      int eq = keyValue.indexOf('=');
      taints.add(new TaintBuilder().withKey(eq < 0 ? keyValue : keyValue.substring(0, eq))
          .withValue(eq < 0 ? null : keyValue.substring(eq + 1)).withEffect(text.substring(colon + 1)).build());
    }
    if (host.has(NodeRole.MASTER) && !host.has(NodeRole.WORKER)
        && taints.stream().noneMatch(t -> CONTROL_PLANE_TAINT.equals(t.getKey()))) {
      taints.add(new TaintBuilder().withKey(CONTROL_PLANE_TAINT).withEffect("NoSchedule").build());
    }
    return taints;
  }

  /** The Node as first registered. */
  public Node node(Instant now) {
    Node node = new NodeBuilder().withNewMetadata().withName(host.name()).withLabels(labels()).endMetadata()
        .withNewSpec().withTaints(taints()).endSpec()
        .withStatus(status(true, "kubelet is posting ready status", now, List.of()))
        .build();
    setPodCidr(node.getSpec());
    return node;
  }

  /**
   * Merges what this machine owns (its labels and taints, and its pod range where the Node has none)
   * into a Node that exists; labels others added stay. A pod range the Node has already is kept: as in
   * Kubernetes, it is set once (see {@link #podCidrConflict}).
   */
  public Node merged(Node existing) {
    Node copy = new NodeBuilder(existing).build();
    Map<String, String> labels = new LinkedHashMap<>(copy.getMetadata().getLabels() == null ? Map.of() : copy.getMetadata().getLabels());
    labels.putAll(labels());
    copy.getMetadata().setLabels(labels);
    List<Taint> taints = new ArrayList<>(copy.getSpec() == null || copy.getSpec().getTaints() == null ? List.of() : copy.getSpec().getTaints());
    for (Taint wanted : taints()) {
      if (taints.stream().noneMatch(t -> Objects.equals(t.getKey(), wanted.getKey()) && Objects.equals(t.getEffect(), wanted.getEffect()))) {
        taints.add(wanted);
      }
    }
    if (copy.getSpec() == null) {
      copy.setSpec(new NodeSpec());
    }
    copy.getSpec().setTaints(taints);
    if (podCidrOf(copy).isEmpty()) {
      setPodCidr(copy.getSpec());
    }
    return copy;
  }

  /** The pod range {@code existing} holds when it differs from this machine's: the Node keeps it, and the operator should know. */
  public Optional<String> podCidrConflict(Node existing) {
    String registered = podCidrOf(existing);
    return registered.isEmpty() || podCidr.isEmpty() || registered.equals(podCidr) ? Optional.empty() : Optional.of(registered);
  }

  private static String podCidrOf(Node node) {
    return node.getSpec() == null || node.getSpec().getPodCIDR() == null ? "" : node.getSpec().getPodCIDR();
  }

  private void setPodCidr(NodeSpec spec) {
    if (!podCidr.isEmpty()) {
      spec.setPodCIDR(podCidr);
      spec.setPodCIDRs(List.of(podCidr));
    }
  }

  /**
   * The status to report. Condition transition times are kept from {@code previous} when the
   * condition's status did not change, so that a status that says the same thing compares equal
   * except for heartbeats.
   */
  public NodeStatus status(boolean ready, String readyMessage, Instant now, List<NodeCondition> previous) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(facts.cpus())));
    capacity.put("memory", new Quantity(Long.toString(facts.memoryBytes() / 1024) + "Ki"));
    capacity.put("pods", new Quantity(Integer.toString(MAX_PODS)));
    capacity.put("ephemeral-storage", new Quantity(Long.toString(facts.ephemeralStorageBytes() / 1024) + "Ki"));
    String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    List<NodeCondition> conditions = List.of(
        condition("Ready", ready ? "True" : "False", ready ? "KubeletReady" : "KubeletNotReady", readyMessage, stamp, previous),
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", stamp, previous),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", stamp, previous),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", stamp, previous));
    return new NodeStatusBuilder()
        .withCapacity(capacity)
        .withAllocatable(new LinkedHashMap<>(capacity))
        .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(host.address()).build(),
            new NodeAddressBuilder().withType("Hostname").withAddress(host.name()).build())
        .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint().endDaemonEndpoints()
        .withNodeInfo(new NodeSystemInfoBuilder().withArchitecture(facts.architecture()).withOperatingSystem(facts.operatingSystem())
            .withOsImage(facts.osImage()).withKernelVersion(facts.kernelVersion()).withMachineID(facts.machineId())
            .withSystemUUID(facts.machineId()).withBootID(facts.bootId()).withContainerRuntimeVersion(runtimeVersion)
            .withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion(KUBELET_VERSION).build())
        .withConditions(conditions)
        .build();
  }

  private static NodeCondition condition(String type, String status, String reason, String message, String now, List<NodeCondition> previous) {
    String transition = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
        .map(NodeCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
    return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(transition).build();
  }
}
