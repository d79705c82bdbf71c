package dev.slipway.controlplane.testing;

import dev.slipway.controlplane.storage.ListPage;
import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.Watch;
import dev.slipway.controlplane.storage.WatchListener;
import java.util.Optional;
import java.util.OptionalLong;

/** An {@link ObjectStore} that passes every call to another; tests override the calls they watch or hold back. */
public class ForwardingObjectStore implements ObjectStore {

    private final ObjectStore store;

    public ForwardingObjectStore(ObjectStore store) {
        this.store = store;
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] json) {
        return store.create(key, json);
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        return store.get(key);
    }

    @Override
    public Optional<StoredObject> recent(ObjectKey key) {
        return store.recent(key);
    }

    @Override
    public ListPage list(String resource, Optional<String> namespace, ListRequest request) {
        return store.list(resource, namespace, request);
    }

    @Override
    public StoredObject update(ObjectKey key, long expectedModRevision, byte[] json) {
        return store.update(key, expectedModRevision, json);
    }

    @Override
    public StoredObject delete(ObjectKey key, OptionalLong expectedModRevision) {
        return store.delete(key, expectedModRevision);
    }

    @Override
    public Watch watch(String resource, Optional<String> namespace, long fromRevision, WatchListener listener) {
        return store.watch(resource, namespace, fromRevision, listener);
    }

    @Override
    public long currentRevision() {
        return store.currentRevision();
    }

    @Override
    public void close() {
        store.close();
    }
}
