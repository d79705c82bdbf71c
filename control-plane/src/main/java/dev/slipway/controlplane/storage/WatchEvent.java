package dev.slipway.controlplane.storage;

/** A change seen by a watch, in revision order. */
public sealed interface WatchEvent {

    /** The etcd revision at which the event happened (a Bookmark: up to which all changes were sent). */
    long revision();

    record Added(StoredObject object) implements WatchEvent {
        public long revision() {
            return object.modRevision();
        }
    }

    /**
     * A change of an existing object. {@code previous} is its state before the change, or null
     * when etcd no longer had it; a watch with selectors needs it to tell an object that started
     * or stopped matching.
     */
    record Modified(StoredObject object, StoredObject previous) implements WatchEvent {
        public long revision() {
            return object.modRevision();
        }
    }

    /**
     * A deletion. {@code lastState} holds the object's last stored JSON; its {@code modRevision} is
     * the revision of the deletion, as Kubernetes reports it.
     */
    record Deleted(StoredObject lastState) implements WatchEvent {
        public long revision() {
            return lastState.modRevision();
        }
    }

    /** No event is missing up to {@code revision}; a client may resume a watch from it. */
    record Bookmark(long revision) implements WatchEvent {
    }
}
