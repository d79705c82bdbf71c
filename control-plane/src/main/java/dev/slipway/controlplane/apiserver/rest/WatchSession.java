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
import dev.slipway.controlplane.storage.WatchIndex;
import dev.slipway.controlplane.storage.WatchListener;
import java.time.Duration;
import java.util.Optional;
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

    /** Every kubelet watches the pods of its own node: the store finds those watches by the pod's node, not by asking each. */
    public static final WatchIndex PODS_BY_NODE = new WatchIndex("spec.nodeName",
            stored -> Json.textOr(present(stored), "", "spec", "nodeName"));

    private final ResourceDescriptor resource;
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final boolean bookmarks;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
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
                public boolean mayConcern(StoredObject object) {
                    return session.matches(present(object));
                }

                @Override
                public Optional<String> requiredValue(String field) {
                    return session.fields.pinned(field);
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

    /**
     * Turns a store event into what this client sees, as Kubernetes' watch cache does: the object's
     * state before and after the change decide ADDED, MODIFIED or DELETED, so a session keeps no
     * state of its own. The decoded objects are shared by every watcher of the event and never changed.
     */
    private void accept(WatchEvent event) {
        switch (event) {
            case WatchEvent.Added added -> {
                ObjectNode object = present(added.object());
                if (matches(object)) {
                    queue.add(event("ADDED", object));
                }
            }
            case WatchEvent.Modified modified -> {
                ObjectNode object = present(modified.object());
                boolean matchesNow = matches(object);
                boolean matchedBefore = everything() || modified.previous() == null ? matchesNow : matches(present(modified.previous()));
                if (matchesNow) {
                    queue.add(event(matchedBefore ? "MODIFIED" : "ADDED", object));
                } else if (matchedBefore) {
                    // Gone from this client's view: its last state it saw, at the revision of the change.
                    ObjectNode last = present(modified.previous()).deepCopy();
                    Json.metadata(last).put("resourceVersion", modified.object().resourceVersion());
                    queue.add(event("DELETED", last));
                }
            }
            case WatchEvent.Deleted deleted -> {
                ObjectNode object = present(deleted.lastState());
                if (matches(object)) {
                    queue.add(event("DELETED", object));
                }
            }
            case WatchEvent.Bookmark bookmark -> {
                if (bookmarks) {
                    queue.add(bookmark(bookmark.revision()));
                }
            }
        }
    }

    private static ObjectNode present(StoredObject stored) {
        return stored.decoded(ObjectRest::present);
    }

    private boolean everything() {
        return labels.isEverything() && fields.isEverything();
    }

    private boolean matches(ObjectNode object) {
        return everything() || ObjectRest.matches(object, labels, fields);
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
