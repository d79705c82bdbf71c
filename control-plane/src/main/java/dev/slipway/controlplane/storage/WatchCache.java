package dev.slipway.controlplane.storage;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resource's watch cache: one etcd watch feeding a ring of recent events, from which every
 * watcher of the resource is served. A watch from a revision still in the ring replays from it.
 */
final class WatchCache implements EtcdFeed.Sink, ListenerQueue.Source, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WatchCache.class);

    interface FeedFactory {
        EtcdFeed open(long afterRevision, EtcdFeed.Sink sink);
    }

    private final String resource;
    private final int capacity;
    private final int backlog;
    private final FeedFactory feeds;
    private final Runnable onReset;
    private final ArrayDeque<WatchEvent> ring;
    private final Set<ListenerQueue> listeners = ConcurrentHashMap.newKeySet();

    private long floor; // every event after this revision is in the ring
    private long revision; // the newest revision the cache knows the state of
    private EtcdFeed feed;
    private boolean closed;

    WatchCache(String resource, long startRevision, int capacity, int backlog, FeedFactory feeds,
               Runnable onReset) {
        this.resource = resource;
        this.capacity = capacity;
        this.backlog = backlog;
        this.feeds = feeds;
        this.onReset = onReset;
        this.ring = new ArrayDeque<>(capacity);
        this.floor = startRevision;
        this.revision = startRevision;
    }

    void start() {
        EtcdFeed opened;
        synchronized (this) {
            opened = feeds.open(floor, this);
            feed = opened;
        }
        opened.start();
    }

    /**
     * Adds a watcher from {@code fromRevision} (0: from the cache's newest revision), or empty when
     * that revision is older than the ring.
     */
    synchronized Optional<Watch> subscribe(String namespace, long fromRevision, WatchListener listener) {
        if (closed) {
            return Optional.empty();
        }
        long from = fromRevision == 0 ? revision : fromRevision;
        if (from < floor) {
            return Optional.empty();
        }
        ListenerQueue queue = new ListenerQueue(resource + (namespace.isEmpty() ? "" : " in " + namespace),
                namespace, from, backlog, listener);
        for (WatchEvent event : ring) {
            queue.offer(event);
        }
        listeners.add(queue);
        queue.start(this);
        return Optional.of(queue);
    }

    synchronized long revision() {
        return revision;
    }

    @Override
    public synchronized void events(List<WatchEvent> events) {
        for (WatchEvent event : events) {
            if (ring.size() == capacity) {
                floor = ring.removeFirst().revision();
            }
            ring.addLast(event);
            revision = Math.max(revision, event.revision());
            for (ListenerQueue listener : listeners) {
                listener.offer(event);
            }
        }
    }

    @Override
    public synchronized void progress(long progressRevision) {
        revision = Math.max(revision, progressRevision);
    }

    @Override
    public void compacted(long compactedRevision) {
        // The cache missed history it can never get back: every watcher must re-list.
        LOG.warn("watch cache of {} lost history compacted at revision {}; closing its watchers", resource, compactedRevision);
        synchronized (this) {
            StorageException.Expired reason = new StorageException.Expired("watch of " + resource, revision, compactedRevision);
            for (ListenerQueue listener : List.copyOf(listeners)) {
                listener.fail(reason);
            }
            listeners.clear();
            ring.clear();
            closed = true;
        }
        onReset.run();
    }

    @Override
    public synchronized void bookmark(ListenerQueue queue) {
        queue.offerBookmark(revision);
    }

    @Override
    public void remove(ListenerQueue queue) {
        listeners.remove(queue);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        EtcdFeed current;
        List<ListenerQueue> open;
        synchronized (this) {
            closed = true;
            current = feed;
            open = List.copyOf(listeners);
            listeners.clear();
        }
        if (current != null) {
            current.close();
        }
        for (ListenerQueue listener : open) {
            listener.fail(new StorageException.Unavailable("the storage of " + resource + " closed"));
        }
    }
}
