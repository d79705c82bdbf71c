package dev.slipway.controlplane.storage;

/** A running watch. Closing it stops its events; it never throws. */
public interface Watch extends AutoCloseable {

    /**
     * Queues a {@link WatchEvent.Bookmark} at the newest revision the watch cache has seen, behind
     * the events already queued for this listener, so that its revision is never ahead of them.
     */
    void requestBookmark();

    @Override
    void close();
}
