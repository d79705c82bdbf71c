package dev.slipway.controlplane.apiserver.http;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.rest.WatchSession;
import dev.slipway.controlplane.apiserver.table.Tables;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends one client's watch until its deadline or the end of the session, one JSON watch event at a
 * time, whatever carries it (a chunked HTTP body or WebSocket messages); asks for a bookmark when
 * the watch has been idle for {@link #BOOKMARK_EVERY}: clients see a live watch move, and the write
 * is the probe that notices a client that went away while nothing changed.
 */
final class WatchStream {

    /** How the events leave: one call per event, blocking until it is handed to the connection. */
    interface Sink {
        void send(byte[] event) throws IOException;
    }

    private static final Duration POLL = Duration.ofSeconds(1);
    static final Duration BOOKMARK_EVERY = Duration.ofSeconds(5);

    private final WatchSession session;
    private final ResourceDescriptor resource;
    private final Instant deadline;
    private final boolean table;
    private final String includeObject;

    WatchStream(WatchSession session, ResourceDescriptor resource, Instant deadline, boolean table, String includeObject) {
        this.session = session;
        this.resource = resource;
        this.deadline = deadline;
        this.table = table;
        this.includeObject = includeObject;
    }

    WatchSession session() {
        return session;
    }

    /** Sends events until the deadline or the session's end; an IOException means the client went away. */
    void run(Sink sink) throws IOException, InterruptedException {
        Instant nextBookmark = Instant.now().plus(BOOKMARK_EVERY);
        while (Instant.now().isBefore(deadline) && !session.ended()) {
            Optional<ObjectNode> event = session.next(POLL);
            if (event.isPresent()) {
                ObjectNode sent = event.get();
                String type = sent.path("type").asString("");
                if (table && !type.equals("ERROR") && !type.equals("BOOKMARK")) {
                    sent.set("object", Tables.of(resource, List.of((ObjectNode) sent.get("object")), includeObject, null));
                }
                sink.send(Json.bytes(sent));
            } else if (Instant.now().isAfter(nextBookmark)) {
                session.requestBookmark();
                nextBookmark = Instant.now().plus(BOOKMARK_EVERY);
            }
        }
    }
}
