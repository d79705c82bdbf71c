package dev.slipway.controlplane.scheduler;

/** A port a pod binds on its node's address: two pods on one node may not both take it. */
public record HostPort(String protocol, String hostIp, int port) {

    private static final String ANY = "0.0.0.0";

    public HostPort {
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
        hostIp = hostIp == null || hostIp.isEmpty() ? ANY : hostIp;
    }

    /** Same protocol and port, on the same address or where either listens on every address. */
    public boolean conflictsWith(HostPort other) {
        return port == other.port && protocol.equals(other.protocol)
                && (hostIp.equals(other.hostIp) || hostIp.equals(ANY) || other.hostIp.equals(ANY));
    }
}
