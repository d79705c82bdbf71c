package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.Backoff;
import dev.slipway.controlplane.storage.ListPage;
import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StorageException;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.Watch;
import dev.slipway.controlplane.storage.WatchEvent;
import dev.slipway.controlplane.storage.WatchListener;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of one resource's objects, kept current by a storage watch: listed once at
 * start, then every event applied; when the watch ends (e.g. 410 Gone) it lists and watches again.
 */
final class ResourceCache<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceCache.class);
    private static final Backoff RELIST_RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    private final ObjectStore store;
    private final String resource;
    private final Optional<String> namespace;
    private final Function<byte[], T> reader;
    private final Predicate<ObjectKey> wanted;
    private volatile Map<ObjectKey, T> objects = new ConcurrentHashMap<>();
    // Counted after each change is visible in the map, so that whoever read the count before reading the values never misses one.
    private final AtomicLong changes = new AtomicLong();
    private volatile Watch watch;
    private volatile boolean closed;

    private ResourceCache(ObjectStore store, String resource, Optional<String> namespace, Function<byte[], T> reader,
                          Predicate<ObjectKey> wanted) {
        this.store = store;
        this.resource = resource;
        this.namespace = namespace;
        this.reader = reader;
        this.wanted = wanted;
    }

    /**
     * Lists the resource now (so that the cache is complete when this returns), then follows its
     * changes, keeping for each {@code wanted} object what {@code reader} makes of its stored JSON.
     */
    static <T> ResourceCache<T> start(ObjectStore store, String resource, Optional<String> namespace, Function<byte[], T> reader,
                                      Predicate<ObjectKey> wanted) {
        var cache = new ResourceCache<>(store, resource, namespace, reader, wanted);
        cache.listAndWatch();
        return cache;
    }

    static <T> ResourceCache<T> start(ObjectStore store, String resource, Class<T> type) {
        return start(store, resource, Optional.empty(), ModelJson.reader(type), key -> true);
    }

    Optional<T> get(ObjectKey key) {
        return Optional.ofNullable(objects.get(key));
    }

    /**
     * The cached object, or when the cache lacks it, the object as etcd has it now: an object created a
     * moment ago (a service account, the pod a token was just bound to) may not have reached the cache.
     */
    Optional<T> getOrRead(ObjectKey key) {
        T cached = objects.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        return store.get(key).map(stored -> reader.apply(stored.json()));
    }

    Collection<T> values() {
        return objects.values();
    }

    /** How many changes the cache has taken; a different count means the values may differ. */
    long changes() {
        return changes.get();
    }

    private synchronized void listAndWatch() {
        if (closed) {
            return;
        }
        Map<ObjectKey, T> fresh = new ConcurrentHashMap<>();
        ListPage page = store.list(resource, namespace, ListRequest.all());
        page.items().forEach(object -> put(fresh, object));
        objects = fresh;
        changes.incrementAndGet();
        watch = store.watch(resource, namespace, page.revision(), new Follower(fresh));
    }

    private void put(Map<ObjectKey, T> into, StoredObject object) {
        if (!wanted.test(object.key())) {
            return;
        }
        try {
            into.put(object.key(), reader.apply(object.json()));
        } catch (RuntimeException e) {
            // One unreadable object must not blind the authorizer to all the others.
            LOG.warn("ignoring {}: not readable: {}", object.key(), e.getMessage());
            into.remove(object.key());
        }
    }

    private void relistUntilWatching() {
        int failures = 0;
        while (!closed) {
            try {
                listAndWatch();
                return;
            } catch (StorageException e) {
                Duration delay = RELIST_RETRY.delay(++failures);
                LOG.warn("cannot list {} to refresh the auth cache, retrying in {}: {}", resource, delay, e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
        }
    }

    /** Applies one watch's events to the map that its list filled. */
    private final class Follower implements WatchListener {
        private final Map<ObjectKey, T> target;

        Follower(Map<ObjectKey, T> target) {
            this.target = target;
        }

        @Override
        public void onEvent(WatchEvent event) {
            switch (event) {
                case WatchEvent.Added added -> put(target, added.object());
                case WatchEvent.Modified modified -> put(target, modified.object());
                case WatchEvent.Deleted deleted -> target.remove(deleted.lastState().key());
                case WatchEvent.Bookmark ignored -> {
                    return;
                }
            }
            changes.incrementAndGet();
        }

        @Override
        public void onClose(StorageException reason) {
            if (!closed) {
                LOG.info("watch of {} for the auth cache ended ({}); listing again", resource, reason.getMessage());
                Thread.ofVirtual().name("auth-cache-" + resource).start(ResourceCache.this::relistUntilWatching);
            }
        }
    }
}
