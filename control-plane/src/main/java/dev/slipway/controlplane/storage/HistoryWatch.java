package dev.slipway.controlplane.storage;

import java.util.List;

/**
 * A watch from a revision older than the watch cache's ring: served by its own etcd watch, which
 * replays the history etcd still keeps and then follows live changes.
 */
final class HistoryWatch implements EtcdFeed.Sink, ListenerQueue.Source {

    private final String description;
    private final ListenerQueue queue;
    private EtcdFeed feed;

    HistoryWatch(String description, ListenerQueue queue) {
        this.description = description;
        this.queue = queue;
    }

    void start(EtcdFeed opened) {
        synchronized (this) {
            feed = opened;
        }
        queue.start(this);
        opened.start();
    }

    @Override
    public void events(List<WatchEvent> events) {
        events.forEach(queue::offer);
    }

    @Override
    public void progress(long revision) {
    }

    @Override
    public void compacted(long compactedRevision) {
        queue.fail(new StorageException.Expired("watch of " + description, feed.lastRevision(), compactedRevision));
    }

    @Override
    public void bookmark(ListenerQueue listener) {
        listener.offerBookmark(feed.lastRevision());
    }

    @Override
    public void remove(ListenerQueue listener) {
        EtcdFeed current;
        synchronized (this) {
            current = feed;
        }
        if (current != null) {
            // Called under locks of the feed's own delivery; jetcd's lock must be taken outside them.
            Thread.ofVirtual().name("close watch " + description).start(current::close);
        }
    }
}
