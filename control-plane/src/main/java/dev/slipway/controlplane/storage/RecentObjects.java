package dev.slipway.controlplane.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest state this store has seen of each object: what it wrote or read, and what its watch
 * caches heard (which includes other API servers' writes). Any of it may be stale by the time it is
 * used, so it only serves as the first guess of a read-modify-write, whose compare-and-swap then
 * checks it. Bounded: the least recently used objects are forgotten first.
 */
final class RecentObjects {

    private final Map<String, StoredObject> objects;

    RecentObjects(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("recent objects capacity must be positive, not " + capacity);
        }
        this.objects = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StoredObject> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized Optional<StoredObject> get(ObjectKey key) {
        return Optional.ofNullable(objects.get(key.path()));
    }

    /** Keeps {@code object} unless a newer state of it is known (answers and watch events may arrive out of order). */
    synchronized void saw(StoredObject object) {
        objects.merge(object.key().path(), object, (known, seen) -> seen.modRevision() >= known.modRevision() ? seen : known);
    }

    /** Forgets the object deleted at {@code revision}, unless a newer state of it is known (created again since). */
    synchronized void deleted(ObjectKey key, long revision) {
        objects.computeIfPresent(key.path(), (path, known) -> known.modRevision() > revision ? known : null);
    }

    /** Forgets the object whatever is known (etcd answered that it does not exist). */
    synchronized void forget(ObjectKey key) {
        objects.remove(key.path());
    }

    void heard(WatchEvent event) {
        switch (event) {
            case WatchEvent.Added added -> saw(added.object());
            case WatchEvent.Modified modified -> saw(modified.object());
            case WatchEvent.Deleted deleted -> deleted(deleted.lastState().key(), deleted.revision());
            case WatchEvent.Bookmark bookmark -> { }
        }
    }

    synchronized int size() {
        return objects.size();
    }
}
