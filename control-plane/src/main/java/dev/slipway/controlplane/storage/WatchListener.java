package dev.slipway.controlplane.storage;

import java.util.Optional;

/**
 * Receives a watch's events. Each listener is called from its own thread, one call at a time,
 * so a slow listener delays only itself.
 */
public interface WatchListener {

    void onEvent(WatchEvent event);

    /**
     * Whether a change whose object was or became {@code object} may concern this listener. Asked
     * on the store's feed thread before an event is queued, so that a listener with selectors (a
     * kubelet watching the pods of its node) is not woken for the events of every other object;
     * it must be quick and must not change the object's shared decoding. An event is queued when
     * its object before or after the change may concern the listener.
     */
    default boolean mayConcern(StoredObject object) {
        return true;
    }

    /**
     * The one value of {@code field} that every object this listener may concern has (its field
     * selector requires {@code field=value}), or empty. The store asks once, when the watch starts,
     * for the field of the resource's {@link WatchIndex}, and then offers this listener only the
     * events of objects that had or got that value.
     */
    default Optional<String> requiredValue(String field) {
        return Optional.empty();
    }

    /**
     * The watch ended and will send nothing more: the listener fell too far behind, the store
     * closed, or the history it needed was compacted ({@link StorageException.Expired}). The API
     * layer ends the client's stream; the client re-lists. Not called after {@link Watch#close()}.
     */
    void onClose(StorageException reason);
}
