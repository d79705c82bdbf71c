package dev.slipway.controlplane.controllers.nodelifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each node's Lease was last seen to change, by this controller's own clock: the kubelet's
 * clock may be off, so the renew time it writes is only compared for change, never for age (as
 * Kubernetes' node lifecycle controller does). A node first seen counts as just heard from.
 */
final class Heartbeats {

    private record Seen(String renewTime, Instant at) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /** Notes the lease's current renew time ({@code ""} without a lease) and answers when it last changed. */
    Instant observe(String node, String renewTime, Instant now) {
        return seen.compute(node, (name, last) -> last != null && last.renewTime().equals(renewTime) ? last : new Seen(renewTime, now)).at();
    }

    void forget(String node) {
        seen.remove(node);
    }
}
