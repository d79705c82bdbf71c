package dev.slipway.controlplane.storage;

import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher's own queue and delivery thread: the feed only offers to it and never waits, so a
 * slow listener delays nobody else. A listener that lets its backlog fill up is closed with a reason.
 */
final class ListenerQueue implements Watch {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerQueue.class);

    /** Where the events come from: answers bookmark requests and forgets closed listeners. */
    interface Source {
        void bookmark(ListenerQueue queue);

        /** Called with this queue's lock held: must not take a lock under which the source offers events. */
        void remove(ListenerQueue queue);
    }

    private sealed interface Item {
    }

    private record Event(WatchEvent event) implements Item {
    }

    private record Closing(StorageException reason) implements Item {
    }

    private record Stop() implements Item {
    }

    private final String description;
    private final String namespace; // "" = all namespaces
    private final int backlog;
    private final WatchListener listener;
    private final LinkedBlockingQueue<Item> queue;
    private Source source;
    private long lastQueuedRevision;
    private volatile boolean closed;

    ListenerQueue(String description, String namespace, long fromRevision, int backlog, WatchListener listener) {
        this.description = description;
        this.namespace = namespace;
        this.backlog = backlog;
        this.listener = listener;
        this.lastQueuedRevision = fromRevision;
        this.queue = new LinkedBlockingQueue<>(backlog + 1); // +1: room for the closing item
    }

    /** Starts delivering on its own virtual thread. */
    void start(Source source) {
        this.source = source;
        Thread.ofVirtual().name("watch " + description).start(this::deliver);
    }

    /** Queues an event after {@code fromRevision} in this listener's namespace; closes the listener when its backlog is full. */
    synchronized void offer(WatchEvent event) {
        if (closed || event.revision() <= lastQueuedRevision || !inNamespace(event) || !concerns(event)) {
            return;
        }
        if (queue.size() >= backlog || !queue.offer(new Event(event))) {
            fail(new StorageException.Unavailable("watch of " + description + " fell more than " + backlog
                    + " events behind and was closed; list again and watch from the list's resourceVersion"));
            return;
        }
        lastQueuedRevision = event.revision();
    }

    /** Queues a bookmark at {@code revision}, never behind an event already queued. */
    synchronized void offerBookmark(long revision) {
        if (closed || queue.size() >= backlog) {
            return; // a full queue will deliver newer revisions soon enough
        }
        long at = Math.max(revision, lastQueuedRevision);
        lastQueuedRevision = at;
        queue.offer(new Event(new WatchEvent.Bookmark(at)));
    }

    /** Ends the watch: drops what is queued and tells the listener why. */
    synchronized void fail(StorageException reason) {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        queue.offer(new Closing(reason));
        if (source != null) {
            source.remove(this);
        }
    }

    @Override
    public void requestBookmark() {
        if (!closed && source != null) {
            source.bookmark(this);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queue.offer(new Stop());
        }
        if (source != null) {
            source.remove(this);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private boolean inNamespace(WatchEvent event) {
        if (namespace.isEmpty()) {
            return true;
        }
        return switch (event) {
            case WatchEvent.Added added -> namespace.equals(added.object().key().namespace());
            case WatchEvent.Modified modified -> namespace.equals(modified.object().key().namespace());
            case WatchEvent.Deleted deleted -> namespace.equals(deleted.lastState().key().namespace());
            case WatchEvent.Bookmark bookmark -> true;
        };
    }

    private boolean concerns(WatchEvent event) {
        try {
            return switch (event) {
                case WatchEvent.Added added -> listener.mayConcern(added.object());
                case WatchEvent.Modified modified -> listener.mayConcern(modified.object())
                        || modified.previous() != null && listener.mayConcern(modified.previous());
                case WatchEvent.Deleted deleted -> listener.mayConcern(deleted.lastState());
                case WatchEvent.Bookmark bookmark -> true;
            };
        } catch (RuntimeException e) {
            return true; // the listener itself will meet the problem and answer it
        }
    }

    private void deliver() {
        try {
            while (true) {
                switch (queue.take()) {
                    case Event(WatchEvent event) -> {
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            LOG.warn("watch listener of {} failed; closing its watch", description, e);
                            fail(new StorageException.Unavailable("watch listener of " + description + " failed", e));
                        }
                    }
                    case Closing(StorageException reason) -> {
                        listener.onClose(reason);
                        return;
                    }
                    case Stop() -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
