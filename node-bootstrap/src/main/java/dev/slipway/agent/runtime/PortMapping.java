package dev.slipway.agent.runtime;

/** A host port that forwards to a port of the pod; host IP empty means every address. */
public record PortMapping(Protocol protocol, int containerPort, int hostPort, String hostIp) {

  public enum Protocol { TCP, UDP, SCTP }

  public PortMapping {
    if (containerPort < 1 || containerPort > 65535) {
      throw new IllegalArgumentException("container port must be 1-65535, got " + containerPort);
    }
    if (hostPort < 0 || hostPort > 65535) {
      throw new IllegalArgumentException("host port must be 0-65535, got " + hostPort);
    }
    if (hostIp == null) {
      hostIp = "";
    }
  }

  public static PortMapping tcp(int containerPort, int hostPort) {
    return new PortMapping(Protocol.TCP, containerPort, hostPort, "");
  }
}
