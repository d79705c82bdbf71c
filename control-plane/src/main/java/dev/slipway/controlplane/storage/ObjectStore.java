package dev.slipway.controlplane.storage;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Kubernetes objects in etcd. Every failure is a {@link StorageException}; nothing is half-changed.
 * Values are JSON bytes; the caller sets {@code metadata.resourceVersion} from
 * {@link StoredObject#modRevision()} when it serves an object and never stores it.
 */
public interface ObjectStore extends AutoCloseable {

    /** Stores a new object; {@link StorageException.AlreadyExists} if the key exists. */
    StoredObject create(ObjectKey key, byte[] json);

    Optional<StoredObject> get(ObjectKey key);

    /**
     * The newest state of the object this store has seen (its own writes and reads, its watches),
     * without asking etcd: it may be stale or missing. Only a guess for a read-modify-write whose
     * {@link #update} or {@link #delete} at its revision then checks it, as Kubernetes' API server
     * starts such writes from its watch cache.
     */
    Optional<StoredObject> recent(ObjectKey key);

    /**
     * Lists the objects of a resource, of one namespace when {@code namespace} is present.
     * An expired continue token or compacted revision answers {@link StorageException.Expired}.
     */
    ListPage list(String resource, Optional<String> namespace, ListRequest request);

    /**
     * Replaces an object if it is still at {@code expectedModRevision}:
     * {@link StorageException.Conflict} if it changed, {@link StorageException.NotFound} if it is gone.
     */
    StoredObject update(ObjectKey key, long expectedModRevision, byte[] json);

    /**
     * Deletes an object, only if it is at {@code expectedModRevision} when one is given. Returns its
     * last state with the deletion's revision as {@code modRevision}.
     */
    StoredObject delete(ObjectKey key, OptionalLong expectedModRevision);

    /**
     * Watches a resource's changes after {@code fromRevision} (0: from now), of one namespace when
     * {@code namespace} is present. Events come in revision order, each once.
     * {@link StorageException.Expired} if that history is compacted.
     */
    Watch watch(String resource, Optional<String> namespace, long fromRevision, WatchListener listener);

    /** The newest etcd revision (a quorum read). */
    long currentRevision();

    @Override
    void close();
}
