package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.controller.ObjectRef;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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

    /** Creations by pod name, with the resourceVersion the API server gave each. */
    private record Pending(Map<String, Long> creations, Set<String> deletions, Instant since) {
    }

    private final Map<ObjectRef, Pending> pending = new ConcurrentHashMap<>();

    void expectCreation(ObjectRef owner, String podName, String resourceVersion, Instant now) {
        pending.computeIfAbsent(owner, key -> new Pending(new HashMap<>(), new HashSet<>(), now)).creations()
                .put(podName, revision(resourceVersion));
    }

    /** resourceVersions are etcd revisions here; anything else never counts as seen by revision. */
    static long revision(String resourceVersion) {
        try {
            return resourceVersion == null ? Long.MAX_VALUE : Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    void expectDeletion(ObjectRef owner, String podName, Instant now) {
        pending.computeIfAbsent(owner, key -> new Pending(new HashMap<>(), new HashSet<>(), now)).deletions().add(podName);
    }

    /**
     * Settles what the cache now shows ({@code seen}: the pod is in the cache; {@code gone}: it is
     * missing or being deleted; {@code cacheRevision}: the newest resourceVersion in the cache, since
     * a cache that is past a creation has seen it, even if the pod is gone again) and answers
     * whether nothing is outstanding.
     */
    boolean satisfied(ObjectRef owner, Predicate<String> seen, Predicate<String> gone, long cacheRevision, Instant now) {
        Pending entry = pending.get(owner);
        if (entry == null) {
            return true;
        }
        entry.creations().entrySet().removeIf(creation -> seen.test(creation.getKey()) || creation.getValue() <= cacheRevision);
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
