package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.ObjectRef;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Pods a controller created or deleted that its informer has not shown yet. While any are
 * outstanding the controller does not count pods again, so a lagging cache never makes it create
 * twice. Outstanding entries expire after a while in case an event was missed.
 */
final class Expectations {

    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private record Pending(Set<String> creations, Set<String> deletions, Instant since) {
    }

    private final Map<ObjectRef, Pending> pending = new ConcurrentHashMap<>();

    void expectCreation(ObjectRef owner, String podName, Instant now) {
        pending.computeIfAbsent(owner, key -> new Pending(new HashSet<>(), new HashSet<>(), now)).creations().add(podName);
    }

    void expectDeletion(ObjectRef owner, String podName, Instant now) {
        pending.computeIfAbsent(owner, key -> new Pending(new HashSet<>(), new HashSet<>(), now)).deletions().add(podName);
    }

    /**
     * Settles what the cache now shows ({@code seen}: the pod is in the cache; {@code gone}: it is
     * missing or being deleted) and answers whether nothing is outstanding.
     */
    boolean satisfied(ObjectRef owner, Predicate<String> seen, Predicate<String> gone, Instant now) {
        Pending entry = pending.get(owner);
        if (entry == null) {
            return true;
        }
        entry.creations().removeIf(seen);
        entry.deletions().removeIf(gone);
        if ((entry.creations().isEmpty() && entry.deletions().isEmpty()) || !entry.since().plus(TIMEOUT).isAfter(now)) {
            pending.remove(owner);
            return true;
        }
        return false;
    }

    void forget(ObjectRef owner) {
        pending.remove(owner);
    }
}
