package dev.slipway.controlplane.storage;

/**
 * An object as stored: JSON bytes (with no resourceVersion inside) and its etcd revisions.
 * {@code modRevision} is the object's resourceVersion.
 */
public record StoredObject(ObjectKey key, byte[] json, long modRevision, long createRevision) {

    public String resourceVersion() {
        return Long.toString(modRevision);
    }
}
