package dev.slipway.controlplane.storage;

import java.util.function.Function;

/**
 * An object as stored: JSON bytes (with no resourceVersion inside) and its etcd revisions.
 * {@code modRevision} is the object's resourceVersion.
 *
 * <p>One watch event's object reaches every watcher of its resource (a thousand kubelets watch
 * pods), so its decoded form is made once and shared: {@link #decoded} keeps the first decoding.
 */
public final class StoredObject {

    private final ObjectKey key;
    private final byte[] json;
    private final long modRevision;
    private final long createRevision;
    private volatile Object decoded;

    public StoredObject(ObjectKey key, byte[] json, long modRevision, long createRevision) {
        this.key = key;
        this.json = json;
        this.modRevision = modRevision;
        this.createRevision = createRevision;
    }

    public ObjectKey key() {
        return key;
    }

    public byte[] json() {
        return json;
    }

    public long modRevision() {
        return modRevision;
    }

    public long createRevision() {
        return createRevision;
    }

    public String resourceVersion() {
        return Long.toString(modRevision);
    }

    /**
     * This object decoded by {@code decoder}, decoded at most once (two threads may both decode,
     * one result is kept). Every caller shares the result and must not change it; the store's
     * readers all use the same decoder.
     */
    @SuppressWarnings("unchecked")
    public <T> T decoded(Function<StoredObject, T> decoder) {
        Object value = decoded;
        if (value == null) {
            value = decoder.apply(this);
            decoded = value;
        }
        return (T) value;
    }

    @Override
    public String toString() {
        return "StoredObject[" + key.path() + "@" + modRevision + "]";
    }
}
