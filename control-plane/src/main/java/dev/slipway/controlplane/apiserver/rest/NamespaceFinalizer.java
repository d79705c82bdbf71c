package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.StorageException;
import dev.slipway.controlplane.storage.StoredObject;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Empties namespaces that are Terminating and then removes them: deletes every object in them
 * (objects with finalizers stay until their finalizers are gone), then drops the {@code kubernetes}
 * finalizer and the namespace. Runs on a virtual thread, woken on each namespace deletion and
 * every few seconds, so a namespace left half-done by a stopped API server is finished by another.
 */
public final class NamespaceFinalizer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceFinalizer.class);
    private static final long PERIOD_SECONDS = 3;

    private final ObjectRest rest;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;

    public NamespaceFinalizer(ObjectRest rest) {
        this.rest = rest;
        rest.onNamespaceDeleted(wake::release);
        this.thread = Thread.ofVirtual().name("namespace-finalizer").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(PERIOD_SECONDS, TimeUnit.SECONDS);
                wake.drainPermits();
                if (running) {
                    finishTerminatingNamespaces();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("namespace clean-up failed, will retry: {}", e.getMessage());
            }
        }
    }

    /** One pass over all Terminating namespaces. */
    public void finishTerminatingNamespaces() {
        for (StoredObject stored : rest.store().list("namespaces", Optional.empty(), ListRequest.all()).items()) {
            ObjectNode namespace = ObjectRest.parse(stored);
            if (Json.text(namespace, "metadata", "deletionTimestamp").isPresent()) {
                finish(stored.key().name());
            }
        }
    }

    private void finish(String namespace) {
        boolean empty = true;
        for (ResourceDescriptor resource : rest.registry().all()) {
            if (!resource.namespaced()) {
                continue;
            }
            for (StoredObject stored : rest.store().list(resource.plural(), Optional.of(namespace), ListRequest.all()).items()) {
                empty = false;
                try {
                    ObjectNode options = Json.object().put("propagationPolicy", "Background");
                    rest.delete(resource, namespace, stored.key().name(), options, Query.empty());
                } catch (ApiError e) {
                    if (e.code() != 404) {
                        LOG.debug("could not delete {} in terminating namespace {}: {}", stored.key(), namespace, e.getMessage());
                    }
                }
            }
        }
        if (!empty) {
            wake.release();
            return;
        }
        ObjectKey key = ObjectKey.clusterScoped("namespaces", namespace);
        Optional<StoredObject> current = rest.store().get(key);
        if (current.isEmpty()) {
            return;
        }
        ObjectNode object = ObjectRest.parse(current.get());
        JsonNode finalizers = Json.at(object, "spec", "finalizers");
        ArrayNode remaining = Json.array();
        if (finalizers != null && finalizers.isArray()) {
            finalizers.forEach(finalizer -> {
                if (!finalizer.asString("").equals("kubernetes")) {
                    remaining.add(finalizer);
                }
            });
        }
        try {
            if (remaining.isEmpty() && Json.metadata(object).path("finalizers").isEmpty()) {
                rest.store().delete(key, OptionalLong.of(current.get().modRevision()));
            } else if (finalizers != null && remaining.size() != finalizers.size()) {
                Json.child(object, "spec").set("finalizers", remaining);
                rest.store().update(key, current.get().modRevision(), Json.bytes(object));
            }
        } catch (StorageException.Conflict | StorageException.NotFound e) {
            wake.release();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
