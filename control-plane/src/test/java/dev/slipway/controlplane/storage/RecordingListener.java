package dev.slipway.controlplane.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** Records what a watch delivers, for assertions with Awaitility. */
class RecordingListener implements WatchListener {

    final List<WatchEvent> events = new CopyOnWriteArrayList<>();
    final AtomicReference<StorageException> closedWith = new AtomicReference<>();

    @Override
    public void onEvent(WatchEvent event) {
        events.add(event);
    }

    @Override
    public void onClose(StorageException reason) {
        closedWith.set(reason);
    }

    /** The changes (no bookmarks) as "TYPE name@revision", in the order they came. */
    List<String> changes() {
        return events.stream().<String>mapMulti((event, out) -> {
            switch (event) {
                case WatchEvent.Added added -> out.accept("ADDED " + added.object().key().name() + "@" + added.revision());
                case WatchEvent.Modified modified -> out.accept("MODIFIED " + modified.object().key().name() + "@" + modified.revision());
                case WatchEvent.Deleted deleted -> out.accept("DELETED " + deleted.lastState().key().name() + "@" + deleted.revision());
                case WatchEvent.Bookmark bookmark -> { }
            }
        }).toList();
    }

    List<String> names() {
        return changes().stream().map(change -> change.substring(change.indexOf(' ') + 1, change.indexOf('@'))).toList();
    }
}
