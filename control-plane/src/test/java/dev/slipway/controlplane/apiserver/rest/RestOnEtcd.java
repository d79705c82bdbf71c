package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import dev.slipway.controlplane.storage.EtcdObjectStore;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.ValueTransformer;
import dev.slipway.controlplane.testing.EtcdProcess;
import tools.jackson.databind.node.ObjectNode;

/** One {@link ObjectRest} with the built-in resources on a real etcd of its own, for tests of what the server does with objects. */
final class RestOnEtcd implements AutoCloseable {

    private final EtcdProcess etcd;
    private final EtcdObjectStore store;
    private final NamespaceLifecycle namespaces;
    private final ObjectRest rest;

    private RestOnEtcd(EtcdProcess etcd) {
        this.etcd = etcd;
        this.store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY);
        this.namespaces = NamespaceLifecycle.start(store);
        this.rest = new ObjectRest(store, ResourceRegistry.builtIn(), new ServiceAllocations(store, "10.96.0.0/12", 30000, 32767), namespaces);
    }

    static RestOnEtcd start() {
        return new RestOnEtcd(EtcdProcess.start());
    }

    ObjectRest rest() {
        return rest;
    }

    /** The store under the server, to read what it wrote. */
    ObjectStore store() {
        return store;
    }

    /** A resource of version v1 of {@code group} ("" for core). */
    ResourceDescriptor resource(String group, String plural) {
        return rest.registry().find(group, "v1", plural).orElseThrow();
    }

    void createNamespace(String name) {
        ObjectNode namespace = Json.object();
        Json.metadata(namespace).put("name", name);
        rest.create(resource("", "namespaces"), "", namespace, Query.empty(), "test");
    }

    @Override
    public void close() {
        namespaces.close();
        store.close();
        etcd.close();
    }
}
