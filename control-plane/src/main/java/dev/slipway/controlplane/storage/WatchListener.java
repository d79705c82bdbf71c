package dev.slipway.controlplane.storage;

/**
 * Receives a watch's events. Each listener is called from its own thread, one call at a time,
 * so a slow listener delays only itself.
 */
public interface WatchListener {

    void onEvent(WatchEvent event);

    /**
     * The watch ended and will send nothing more: the listener fell too far behind, the store
     * closed, or the history it needed was compacted ({@link StorageException.Expired}). The API
     * layer ends the client's stream; the client re-lists. Not called after {@link Watch#close()}.
     */
    void onClose(StorageException reason);
}
