package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.storage.ListPage;
import dev.slipway.controlplane.storage.ListRequest;
import dev.slipway.controlplane.storage.StorageException;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.Watch;
import dev.slipway.controlplane.storage.WatchEvent;
import dev.slipway.controlplane.storage.WatchListener;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.node.ObjectNode;

/**
 * One client's watch: the events of a resource after a revision, filtered by the client's
 * selectors, as Kubernetes watch events ({@code {"type": ..., "object": ...}}). An object that
 * stops matching the selectors is reported DELETED, one that starts matching ADDED.
 */
public final class WatchSession implements AutoCloseable {

    private static final Object CLOSED = new Object();

    private final ResourceDescriptor resource;
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final boolean bookmarks;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Set<String> visible = new HashSet<>();
    private final Set<String> seen = new HashSet<>();
    private Watch watch;
    private volatile boolean ended;

    private WatchSession(ResourceDescriptor resource, Query query) {
        this.resource = resource;
        this.labels = query.labelSelector();
        this.fields = query.fieldSelector();
        this.bookmarks = query.flag("allowWatchBookmarks");
    }

    static WatchSession open(ObjectRest rest, ResourceDescriptor resource, Optional<String> namespace, Query query) {
        WatchSession session = new WatchSession(resource, query);
        String version = query.get("resourceVersion");
        long from;
        boolean initial = version.isEmpty() || version.equals("0") || query.flag("sendInitialEvents");
        if (initial) {
            ListPage page = rest.store().list(resource.plural(), namespace, ListRequest.all());
            for (StoredObject stored : page.items()) {
                session.accept(new WatchEvent.Added(stored));
            }
            from = page.revision();
            if (query.flag("sendInitialEvents")) {
                ObjectNode bookmark = session.bookmark(from);
                Json.child(Json.metadata((ObjectNode) bookmark.get("object")), "annotations").put("k8s.io/initial-events-end", "true");
                session.queue.add(bookmark);
            }
        } else {
            try {
                from = Long.parseLong(version);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("resourceVersion must be a number, not \"" + version + "\"");
            }
        }
        try {
            session.watch = rest.store().watch(resource.plural(), namespace, from, new WatchListener() {
                @Override
                public void onEvent(WatchEvent event) {
                    session.accept(event);
                }

                @Override
                public void onClose(StorageException reason) {
                    if (reason instanceof StorageException.Expired expired) {
                        session.queue.add(session.error(ApiError.gone("too old resource version: " + version + " (" + expired.compactedRevision() + ")")));
                    }
                    session.queue.add(CLOSED);
                }
            });
        } catch (StorageException.Expired expired) {
            session.queue.add(session.error(ApiError.gone("too old resource version: " + version + " (" + expired.compactedRevision() + ")")));
            session.queue.add(CLOSED);
        }
        return session;
    }

    /** The next event to send, empty when none came within {@code wait}; {@link #ended()} after the stream ended. */
    public Optional<ObjectNode> next(Duration wait) throws InterruptedException {
        if (ended) {
            return Optional.empty();
        }
        Object item = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (item == CLOSED) {
            ended = true;
            return Optional.empty();
        }
        return Optional.ofNullable((ObjectNode) item);
    }

    public boolean ended() {
        return ended;
    }

    /** Asks the store for a bookmark, sent when the client allowed them. */
    public void requestBookmark() {
        if (bookmarks && watch != null) {
            watch.requestBookmark();
        }
    }

    private synchronized void accept(WatchEvent event) {
        switch (event) {
            case WatchEvent.Added added -> change(added.object(), false);
            case WatchEvent.Modified modified -> change(modified.object(), true);
            case WatchEvent.Deleted deleted -> {
                String key = deleted.lastState().key().path();
                ObjectNode object = ObjectRest.present(deleted.lastState());
                if (visible.remove(key) || !seen.contains(key) && ObjectRest.matches(object, labels, fields)) {
                    queue.add(event("DELETED", object));
                }
                seen.add(key);
            }
            case WatchEvent.Bookmark bookmark -> {
                if (bookmarks) {
                    queue.add(bookmark(bookmark.revision()));
                }
            }
        }
    }

    private void change(StoredObject stored, boolean modified) {
        String key = stored.key().path();
        ObjectNode object = ObjectRest.present(stored);
        boolean matches = ObjectRest.matches(object, labels, fields);
        boolean wasVisible = visible.contains(key) || modified && !seen.contains(key);
        seen.add(key);
        if (matches) {
            visible.add(key);
            queue.add(event(wasVisible ? "MODIFIED" : "ADDED", object));
        } else if (wasVisible && visible.remove(key)) {
            queue.add(event("DELETED", object));
        }
    }

    private ObjectNode bookmark(long revision) {
        ObjectNode object = Json.object();
        object.put("kind", resource.kind());
        object.put("apiVersion", resource.apiVersion());
        object.putObject("metadata").put("resourceVersion", Long.toString(revision));
        return event("BOOKMARK", object);
    }

    private ObjectNode error(ApiError error) {
        return event("ERROR", error.toStatus());
    }

    private static ObjectNode event(String type, ObjectNode object) {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.set("object", object);
        return event;
    }

    @Override
    public void close() {
        ended = true;
        if (watch != null) {
            watch.close();
        }
    }
}
