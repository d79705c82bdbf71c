package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.testing.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches through the watch cache against a real etcd. Each test uses a resource of its own. */
class WatchTest {

    private static final AtomicInteger RESOURCES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static EtcdProcess etcd;
    private static EtcdObjectStore store;
    private String resource;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdProcess.start();
        // A small ring so that tests reach past it with a few events.
        store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY,
                new EtcdObjectStore.Settings(8, 1000, Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stopEtcd() {
        store.close();
        etcd.close();
    }

    @BeforeEach
    void freshResource() {
        resource = "watched" + RESOURCES.incrementAndGet();
    }

    private ObjectKey key(String namespace, String name) {
        return new ObjectKey(resource, namespace, name);
    }

    private static byte[] json(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void watchFromARevisionReplaysEveryLaterChangeInOrder() {
        long start = store.currentRevision();
        StoredObject a = store.create(key("default", "a"), json("{\"v\":1}"));
        StoredObject a2 = store.update(key("default", "a"), a.modRevision(), json("{\"v\":2}"));
        StoredObject gone = store.delete(key("default", "a"), OptionalLong.empty());
        StoredObject b = store.create(key("default", "b"), json("{}"));
        RecordingListener listener = new RecordingListener();

        try (Watch watch = store.watch(resource, Optional.empty(), start, listener)) {
            await().atMost(WAIT).until(() -> listener.changes().size() == 4);
        }

        assertThat(listener.changes()).containsExactly(
                "ADDED a@" + a.modRevision(), "MODIFIED a@" + a2.modRevision(),
                "DELETED a@" + gone.modRevision(), "ADDED b@" + b.modRevision());
        WatchEvent.Deleted deleted = (WatchEvent.Deleted) listener.events.stream()
                .filter(WatchEvent.Deleted.class::isInstance).findFirst().orElseThrow();
        assertThat(deleted.lastState().json()).asString(UTF_8).isEqualTo("{\"v\":2}");
    }

    @Test
    void watchFromNowSeesOnlyLaterChanges() {
        store.create(key("default", "before"), json("{}"));
        RecordingListener listener = new RecordingListener();

        try (Watch watch = store.watch(resource, Optional.empty(), 0, listener)) {
            store.create(key("default", "after"), json("{}"));
            await().atMost(WAIT).until(() -> listener.changes().size() == 1);
        }

        assertThat(listener.names()).containsExactly("after");
    }

    @Test
    void aListenerGetsOnlyChangesWhoseObjectBeforeOrAfterMayConcernIt() {
        long start = store.currentRevision();
        RecordingListener blueOnly = new RecordingListener() {
            @Override
            public boolean mayConcern(StoredObject object) {
                return new String(object.json(), UTF_8).contains("blue");
            }
        };
        try (Watch watch = store.watch(resource, Optional.empty(), start, blueOnly)) {
            store.create(key("default", "red"), json("{\"team\":\"red\"}"));
            StoredObject blue = store.create(key("default", "blue"), json("{\"team\":\"blue\"}"));
            StoredObject turned = store.update(key("default", "blue"), blue.modRevision(), json("{\"team\":\"green\"}"));
            store.update(key("default", "blue"), turned.modRevision(), json("{\"team\":\"green\",\"v\":2}"));
            store.delete(key("default", "red"), OptionalLong.empty());
            StoredObject last = store.create(key("default", "last"), json("{\"team\":\"blue\"}"));
            await().atMost(WAIT).until(() -> blueOnly.changes().size() == 3);

            // Leaving blue still reaches the listener (its state before was blue); the later changes of
            // green and red, which never concerned it, come before "last" if they come at all.
            assertThat(blueOnly.changes()).containsExactly("ADDED blue@" + blue.modRevision(), "MODIFIED blue@" + turned.modRevision(),
                    "ADDED last@" + last.modRevision());
        }
    }

    @Test
    void anIndexedStoreOffersAnEventOnlyToTheListenersOfTheValuesItsObjectHadOrGot() {
        // Each listener accepts whatever it is offered, so what it receives is what the index offered it.
        WatchIndex byTeam = new WatchIndex("team", stored -> {
            Matcher team = Pattern.compile("\"team\":\"(\\w+)\"").matcher(new String(stored.json(), UTF_8));
            return team.find() ? team.group(1) : "";
        });
        RecordingListener blue = listenerRequiring("blue");
        RecordingListener green = listenerRequiring("green");
        RecordingListener everyone = new RecordingListener();
        try (EtcdObjectStore indexed = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY,
                new EtcdObjectStore.Settings(8, 1000, Duration.ofSeconds(10)).withWatchIndex(resource, byTeam))) {
            long start = indexed.currentRevision();
            List<Watch> watches = List.of(indexed.watch(resource, Optional.empty(), start, blue),
                    indexed.watch(resource, Optional.empty(), start, green), indexed.watch(resource, Optional.empty(), start, everyone));
            indexed.create(key("default", "red"), json("{\"team\":\"red\"}"));
            StoredObject one = indexed.create(key("default", "one"), json("{\"team\":\"blue\"}"));
            StoredObject moved = indexed.update(key("default", "one"), one.modRevision(), json("{\"team\":\"green\"}"));
            StoredObject again = indexed.update(key("default", "one"), moved.modRevision(), json("{\"team\":\"green\",\"v\":2}"));
            indexed.delete(key("default", "red"), OptionalLong.empty());
            StoredObject last = indexed.create(key("default", "last"), json("{\"team\":\"blue\"}"));
            await().atMost(WAIT).until(() -> everyone.changes().size() == 6 && blue.changes().size() == 3 && green.changes().size() == 2);
            watches.forEach(Watch::close);

            assertThat(blue.changes()).containsExactly("ADDED one@" + one.modRevision(), "MODIFIED one@" + moved.modRevision(),
                    "ADDED last@" + last.modRevision());
            assertThat(green.changes()).containsExactly("MODIFIED one@" + moved.modRevision(), "MODIFIED one@" + again.modRevision());
            assertThat(everyone.names()).containsExactly("red", "one", "one", "one", "red", "last");
        }
    }

    private static RecordingListener listenerRequiring(String team) {
        return new RecordingListener() {
            @Override
            public Optional<String> requiredValue(String field) {
                return field.equals("team") ? Optional.of(team) : Optional.empty();
            }
        };
    }

    @Test
    void watchersOfOneResourceSeeOnlyTheirNamespace() {
        long start = store.currentRevision();
        RecordingListener teamA = new RecordingListener();
        RecordingListener teamB = new RecordingListener();
        RecordingListener everyone = new RecordingListener();
        List<Watch> watches = List.of(
                store.watch(resource, Optional.of("team-a"), start, teamA),
                store.watch(resource, Optional.of("team-b"), start, teamB),
                store.watch(resource, Optional.empty(), start, everyone));

        store.create(key("team-a", "a1"), json("{}"));
        store.create(key("team-b", "b1"), json("{}"));
        store.create(key("team-a", "a2"), json("{}"));
        await().atMost(WAIT).until(() -> everyone.changes().size() == 3 && teamA.changes().size() == 2);
        watches.forEach(Watch::close);

        assertThat(teamA.names()).containsExactly("a1", "a2");
        assertThat(teamB.names()).containsExactly("b1");
        assertThat(everyone.names()).containsExactly("a1", "b1", "a2");
    }

    @Test
    void slowWatcherIsClosedWhileAFastOneGetsEverything() {
        try (EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY,
                new EtcdObjectStore.Settings(64, 5, Duration.ofSeconds(10)))) {
            slowWatcherIsClosedWhileAFastOneGetsEverything(store);
        }
    }

    private void slowWatcherIsClosedWhileAFastOneGetsEverything(EtcdObjectStore store) {
        long start = store.currentRevision();
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener slow = new RecordingListener() {
            @Override
            public void onEvent(WatchEvent event) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onEvent(event);
            }
        };
        RecordingListener fast = new RecordingListener();
        Watch slowWatch = store.watch(resource, Optional.empty(), start, slow);
        Watch fastWatch = store.watch(resource, Optional.empty(), start, fast);

        for (int i = 0; i < 20; i++) {
            store.create(key("default", "o" + i), json("{}"));
            // The fast watcher keeps up as long as its own listener does, whatever the slow one does.
            int expected = i + 1;
            await().atMost(WAIT).until(() -> fast.changes().size() == expected);
        }
        release.countDown();

        await().atMost(WAIT).until(() -> slow.closedWith.get() != null);
        assertThat(slow.closedWith.get()).isInstanceOf(StorageException.Unavailable.class).hasMessageContaining("fell more than 5 events behind");
        assertThat(slow.changes().size()).isLessThan(20);
        assertThat(fast.closedWith.get()).isNull();
        slowWatch.close();
        fastWatch.close();
    }

    @Test
    void bookmarkCarriesARevisionNoOlderThanTheEventsBeforeIt() {
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch(resource, Optional.empty(), 0, listener)) {
            StoredObject created = store.create(key("default", "a"), json("{}"));
            await().atMost(WAIT).until(() -> listener.changes().size() == 1);

            watch.requestBookmark();

            await().atMost(WAIT).until(() -> listener.events.getLast() instanceof WatchEvent.Bookmark);
            assertThat(listener.events.getLast().revision()).isGreaterThanOrEqualTo(created.modRevision());
        }
    }

    @Test
    void theNewestStateOfAWatchedObjectFollowsAnotherStoresWritesAndDeletion() {
        try (EtcdObjectStore other = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY);
             Watch watch = store.watch(resource, Optional.empty(), 0, new RecordingListener())) {
            ObjectKey key = key("default", "shared");
            StoredObject created = other.create(key, json("{\"v\":1}"));
            await().atMost(WAIT).until(() -> store.recent(key).map(StoredObject::modRevision).orElse(0L) == created.modRevision());

            StoredObject updated = other.update(key, created.modRevision(), json("{\"v\":2}"));
            await().atMost(WAIT).until(() -> store.recent(key).map(StoredObject::modRevision).orElse(0L) == updated.modRevision());
            assertThat(store.recent(key).orElseThrow().json()).asString(UTF_8).isEqualTo("{\"v\":2}");

            other.delete(key, OptionalLong.empty());
            await().atMost(WAIT).until(() -> store.recent(key).isEmpty());
        }
    }

    @Test
    void watchCacheRevisionFollowsEtcdProgressWhenTheResourceIsQuiet() {
        RecordingListener listener = new RecordingListener();
        // The cache starts from a revision older than etcd's newest, so its etcd watch replays
        // history with no event of this resource in it; progress must still move the cache on.
        long start = store.currentRevision();
        long elsewhere = store.create(new ObjectKey(resource + "-other", "default", "x"), json("{}")).modRevision();
        try (Watch watch = store.watch(resource, Optional.empty(), start, listener)) {
            await().atMost(WAIT).until(() -> store.cachedRevision(resource).orElse(0) >= elsewhere);
            watch.requestBookmark();
            await().atMost(WAIT).until(() -> !listener.events.isEmpty());

            assertThat(listener.events).singleElement().isInstanceOf(WatchEvent.Bookmark.class)
                    .extracting(WatchEvent::revision).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG)
                    .isGreaterThanOrEqualTo(elsewhere);
        }
    }

    @Test
    void watchFromBeforeTheCacheRingReplaysFromEtcd() {
        RecordingListener first = new RecordingListener();
        long start = store.currentRevision();
        List<String> names = new ArrayList<>();
        try (Watch warm = store.watch(resource, Optional.empty(), 0, first)) {
            for (int i = 0; i < 12; i++) { // more than the ring of 8 holds
                names.add("o" + i);
                store.create(key("default", "o" + i), json("{}"));
            }
            await().atMost(WAIT).until(() -> first.changes().size() == 12);

            RecordingListener late = new RecordingListener();
            try (Watch replay = store.watch(resource, Optional.empty(), start, late)) {
                await().atMost(WAIT).until(() -> late.changes().size() == 12);
                store.create(key("default", "live"), json("{}"));
                await().atMost(WAIT).until(() -> late.changes().size() == 13);
            }

            names.add("live");
            assertThat(late.names()).containsExactlyElementsOf(names);
        }
    }

    @Test
    void closedWatchReceivesNothingMore() {
        RecordingListener listener = new RecordingListener();
        Watch watch = store.watch(resource, Optional.empty(), 0, listener);
        store.create(key("default", "a"), json("{}"));
        await().atMost(WAIT).until(() -> listener.changes().size() == 1);

        watch.close();
        long closedAt = store.create(key("default", "b"), json("{}")).modRevision();
        RecordingListener witness = new RecordingListener();
        try (Watch other = store.watch(resource, Optional.empty(), closedAt, witness)) {
            store.create(key("default", "c"), json("{}"));
            await().atMost(WAIT).until(() -> witness.names().contains("c"));
        }

        assertThat(listener.names()).containsExactly("a");
        assertThat(listener.closedWith.get()).isNull();
    }
}
