package dev.slipway.agent.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a pod sandbox is made from: the pod's identity, its host name, whether it shares the node's
 * network, the host ports it maps, and the folder that holds its containers' logs.
 */
public record SandboxSpec(
    String name,
    String namespace,
    String uid,
    int attempt,
    String hostname,
    Map<String, String> labels,
    boolean hostNetwork,
    List<PortMapping> ports,
    Path logDirectory) {

  public SandboxSpec {
    requireText(name, "name");
    requireText(namespace, "namespace");
    requireText(uid, "uid");
    Objects.requireNonNull(hostname, "hostname");
    labels = Map.copyOf(labels);
    ports = List.copyOf(ports);
    Objects.requireNonNull(logDirectory, "logDirectory");
    if (attempt < 0) {
      throw new IllegalArgumentException("sandbox attempt must not be negative, got " + attempt);
    }
  }

  /** The name under which the runtime keeps this sandbox, unique per pod and attempt (as the kubelet names them). */
  public String fullName() {
    return name + "_" + namespace + "_" + uid + "_" + attempt;
  }

  static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }
}
