package dev.slipway.controlplane.storage;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resource's watch cache: one etcd watch feeding a ring of recent events, from which every
 * watcher of the resource is served. A watch from a revision still in the ring replays from it.
 * With a {@link WatchIndex}, an event is offered only to the watchers its object's value concerns.
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
    /** Told every event the cache takes in, before its watchers (the store's {@link RecentObjects}). */
    private final Consumer<WatchEvent> observer;
    private final ArrayDeque<WatchEvent> ring;
    private final Set<ListenerQueue> listeners = ConcurrentHashMap.newKeySet();
    private final Optional<WatchIndex> index;
    /** Listeners that require no single value of the index's field: offered every event. */
    private final Set<ListenerQueue> unindexed = ConcurrentHashMap.newKeySet();
    /** The other listeners by the value they require, and the value of each (for removal, which does not hold this cache's lock). */
    private final Map<String, Set<ListenerQueue>> byValue = new ConcurrentHashMap<>();
    private final Map<ListenerQueue, String> valueOfListener = new ConcurrentHashMap<>();

    private long floor; // every event after this revision is in the ring
    private long revision; // the newest revision the cache knows the state of
    private EtcdFeed feed;
    private boolean closed;

    WatchCache(String resource, long startRevision, int capacity, int backlog, Optional<WatchIndex> index, Consumer<WatchEvent> observer,
               FeedFactory feeds, Runnable onReset) {
        this.resource = resource;
        this.observer = observer;
        this.index = index;
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
        Optional<String> required = index.flatMap(by -> listener.requiredValue(by.field()));
        if (required.isPresent()) {
            valueOfListener.put(queue, required.get());
            byValue.compute(required.get(), (value, queues) -> {
                Set<ListenerQueue> next = queues == null ? ConcurrentHashMap.newKeySet() : queues;
                next.add(queue);
                return next;
            });
        } else {
            unindexed.add(queue);
        }
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
            observer.accept(event);
            offer(event);
        }
    }

    private void offer(WatchEvent event) {
        List<String> values = index.isEmpty() || byValue.isEmpty() ? null : indexValues(index.get(), event);
        if (values == null) {
            for (ListenerQueue listener : listeners) {
                listener.offer(event);
            }
            return;
        }
        for (ListenerQueue listener : unindexed) {
            listener.offer(event);
        }
        for (String value : values) {
            // A listener offered the same event twice queues it once (it keeps the last revision it queued).
            for (ListenerQueue listener : byValue.getOrDefault(value, Set.of())) {
                listener.offer(event);
            }
        }
    }

    /** The values of the index's field before and after the change, or null when one is unknown (then every listener is asked). */
    private static List<String> indexValues(WatchIndex index, WatchEvent event) {
        try {
            return switch (event) {
                case WatchEvent.Added added -> List.of(index.valueOf().apply(added.object()));
                case WatchEvent.Modified modified -> modified.previous() == null ? null
                        : List.of(index.valueOf().apply(modified.object()), index.valueOf().apply(modified.previous()));
                case WatchEvent.Deleted deleted -> List.of(index.valueOf().apply(deleted.lastState()));
                case WatchEvent.Bookmark bookmark -> null;
            };
        } catch (RuntimeException e) {
            return null; // an object the index cannot read: the listeners themselves will judge it
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
            forgetListeners();
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
        unindexed.remove(queue);
        String value = valueOfListener.remove(queue);
        if (value != null) {
            byValue.computeIfPresent(value, (key, queues) -> {
                queues.remove(queue);
                return queues.isEmpty() ? null : queues;
            });
        }
    }

    private void forgetListeners() {
        listeners.clear();
        unindexed.clear();
        byValue.clear();
        valueOfListener.clear();
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
            forgetListeners();
        }
        if (current != null) {
            current.close();
        }
        for (ListenerQueue listener : open) {
            listener.fail(new StorageException.Unavailable("the storage of " + resource + " closed"));
        }
    }
}
