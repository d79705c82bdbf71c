package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' NamespaceLifecycle admission: content is created only in a namespace that exists and
 * is not terminating. As in Kubernetes, the check reads a watch-driven copy of the namespaces, so a
 * create costs no extra etcd read; a namespace the copy does not know (just created, or the watch is
 * restarting) is looked up in etcd. A namespace never stops terminating, so a terminating one in the
 * copy is refused at once.
 */
public final class NamespaceLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceLifecycle.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

    /** What the copy knows of one namespace, as of an etcd revision. */
    private record State(long revision, boolean terminating) {
    }

    private final ObjectStore store;
    private final Map<String, State> namespaces = new ConcurrentHashMap<>();
    private Watch watch;
    private boolean closed;

    private NamespaceLifecycle(ObjectStore store) {
        this.store = store;
    }

    /** Lists the namespaces, then follows their changes. */
    public static NamespaceLifecycle start(ObjectStore store) {
        NamespaceLifecycle lifecycle = new NamespaceLifecycle(store);
        lifecycle.listAndWatch();
        return lifecycle;
    }

    /** Throws 404 when the namespace does not exist, 403 when it is terminating. */
    public void requireLive(String namespace) {
        State known = namespaces.get(namespace);
        if (known == null) {
            Optional<StoredObject> stored = store.get(ObjectKey.clusterScoped("namespaces", namespace));
            if (stored.isEmpty()) {
                throw ApiError.notFound("", "namespaces", namespace);
            }
            known = observe(stored.get());
        }
        if (known.terminating()) {
            throw new ApiError(403, "Forbidden", "unable to create new content in namespace " + namespace
                    + " because it is being terminated", namespace, "", "namespaces", List.of());
        }
    }

    /** Records a namespace this server just wrote, so its own next request sees it without waiting for the watch. */
    State observe(StoredObject namespace) {
        boolean terminating = Json.text(Json.parse(namespace.json()), "metadata", "deletionTimestamp").isPresent();
        State state = new State(namespace.modRevision(), terminating);
        // Events and this server's own writes may arrive in either order: the newer revision wins.
        return namespaces.merge(namespace.key().name(), state, (old, fresh) -> fresh.revision() >= old.revision() ? fresh : old);
    }

    private void forget(StoredObject lastState) {
        namespaces.computeIfPresent(lastState.key().name(), (name, old) -> old.revision() <= lastState.modRevision() ? null : old);
    }

    private synchronized void listAndWatch() {
        if (closed) {
            return;
        }
        namespaces.clear();
        ListPage page = store.list("namespaces", Optional.empty(), ListRequest.all());
        page.items().forEach(this::observeQuietly);
        watch = store.watch("namespaces", Optional.empty(), page.revision(), new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                switch (event) {
                    case WatchEvent.Added added -> observeQuietly(added.object());
                    case WatchEvent.Modified modified -> observeQuietly(modified.object());
                    case WatchEvent.Deleted deleted -> forget(deleted.lastState());
                    case WatchEvent.Bookmark ignored -> { }
                }
            }

            @Override
            public void onClose(StorageException reason) {
                LOG.info("watch of namespaces ended ({}); listing again", reason.getMessage());
                // Until the new list, every lookup goes to etcd.
                namespaces.clear();
                Thread.ofVirtual().name("namespace-lifecycle").start(NamespaceLifecycle.this::relistUntilWatching);
            }
        });
    }

    private void observeQuietly(StoredObject namespace) {
        try {
            observe(namespace);
        } catch (RuntimeException e) {
            // An unreadable namespace is looked up in etcd on use, where the create answers what it finds.
            LOG.warn("ignoring unreadable namespace {}: {}", namespace.key(), e.getMessage());
            namespaces.remove(namespace.key().name());
        }
    }

    private void relistUntilWatching() {
        Duration delay = Duration.ofMillis(100);
        for (int attempt = 0; !isClosed(); attempt++) {
            try {
                listAndWatch();
                return;
            } catch (StorageException e) {
                LOG.warn("cannot list namespaces (attempt {}), retrying in {}: {}", attempt + 1, delay, e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                delay = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }
}
