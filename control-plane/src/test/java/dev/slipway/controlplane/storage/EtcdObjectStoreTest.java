package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.testing.EtcdProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CRUD, compare-and-swap and lists against a real etcd. Each test uses a resource of its own. */
class EtcdObjectStoreTest {

    private static final AtomicInteger RESOURCES = new AtomicInteger();
    private static EtcdProcess etcd;
    private static EtcdObjectStore store;
    private String resource;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdProcess.start();
        store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY);
    }

    @AfterAll
    static void stopEtcd() {
        store.close();
        etcd.close();
    }

    @BeforeEach
    void freshResource() {
        resource = "things" + RESOURCES.incrementAndGet();
    }

    private ObjectKey key(String namespace, String name) {
        return new ObjectKey(resource, namespace, name);
    }

    private static byte[] json(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void createdObjectIsReadBackWithItsRevisionAsResourceVersion() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));

        StoredObject read = store.get(key("default", "a")).orElseThrow();

        assertThat(read.json()).asString(UTF_8).isEqualTo("{\"v\":1}");
        assertThat(read.modRevision()).isEqualTo(created.modRevision()).isEqualTo(created.createRevision());
        assertThat(read.resourceVersion()).isEqualTo(Long.toString(created.modRevision()));
    }

    @Test
    void objectsLiveUnderKubernetesKeys() {
        store.create(key("team-a", "web"), json("{\"ns\":true}"));
        store.create(ObjectKey.clusterScoped(resource, "node-1"), json("{\"cluster\":true}"));

        assertThat(etcd.rawValue("/registry/" + resource + "/team-a/web")).isEqualTo("{\"ns\":true}\n");
        assertThat(etcd.rawValue("/registry/" + resource + "/node-1")).isEqualTo("{\"cluster\":true}\n");
    }

    @Test
    void getOfAMissingObjectIsEmpty() {
        assertThat(store.get(key("default", "missing"))).isEmpty();
    }

    @Test
    void createOfAnExistingObjectIsAlreadyExistsAndKeepsTheOriginal() {
        store.create(key("default", "a"), json("{\"v\":1}"));

        assertThatThrownBy(() -> store.create(key("default", "a"), json("{\"v\":2}")))
                .isInstanceOf(StorageException.AlreadyExists.class)
                .hasMessageContaining("/registry/" + resource + "/default/a");
        assertThat(store.get(key("default", "a")).orElseThrow().json()).asString(UTF_8).isEqualTo("{\"v\":1}");
    }

    @Test
    void updateAtTheRevisionReadReplacesTheObject() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));

        StoredObject updated = store.update(key("default", "a"), created.modRevision(), json("{\"v\":2}"));

        assertThat(updated.modRevision()).isGreaterThan(created.modRevision());
        assertThat(updated.createRevision()).isEqualTo(created.createRevision());
        assertThat(store.get(key("default", "a")).orElseThrow())
                .satisfies(read -> assertThat(read.json()).asString(UTF_8).isEqualTo("{\"v\":2}"))
                .extracting(StoredObject::modRevision).isEqualTo(updated.modRevision());
    }

    @Test
    void updateAtAnOlderRevisionIsConflictAndChangesNothing() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));
        StoredObject first = store.update(key("default", "a"), created.modRevision(), json("{\"v\":2}"));

        assertThatThrownBy(() -> store.update(key("default", "a"), created.modRevision(), json("{\"v\":3}")))
                .isInstanceOfSatisfying(StorageException.Conflict.class,
                        conflict -> assertThat(conflict.actualModRevision()).isEqualTo(first.modRevision()));
        assertThat(store.get(key("default", "a")).orElseThrow().json()).asString(UTF_8).isEqualTo("{\"v\":2}");
    }

    @Test
    void updateOfAMissingObjectIsNotFound() {
        assertThatThrownBy(() -> store.update(key("default", "gone"), 5, json("{}")))
                .isInstanceOf(StorageException.NotFound.class);
        assertThat(store.get(key("default", "gone"))).isEmpty();
    }

    @Test
    void deleteWithTheCurrentRevisionRemovesAndReturnsTheLastState() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));

        StoredObject deleted = store.delete(key("default", "a"), OptionalLong.of(created.modRevision()));

        assertThat(deleted.json()).asString(UTF_8).isEqualTo("{\"v\":1}");
        assertThat(deleted.modRevision()).isGreaterThan(created.modRevision());
        assertThat(store.get(key("default", "a"))).isEmpty();
    }

    @Test
    void deleteWithAStaleRevisionIsConflictAndKeepsTheObject() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));
        store.update(key("default", "a"), created.modRevision(), json("{\"v\":2}"));

        assertThatThrownBy(() -> store.delete(key("default", "a"), OptionalLong.of(created.modRevision())))
                .isInstanceOf(StorageException.Conflict.class);
        assertThat(store.get(key("default", "a"))).isPresent();
    }

    @Test
    void deleteWithoutPreconditionRemovesWhateverIsThere() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));
        store.update(key("default", "a"), created.modRevision(), json("{\"v\":2}"));

        StoredObject deleted = store.delete(key("default", "a"), OptionalLong.empty());

        assertThat(deleted.json()).asString(UTF_8).isEqualTo("{\"v\":2}");
        assertThat(store.get(key("default", "a"))).isEmpty();
    }

    @Test
    void deleteOfAMissingObjectIsNotFound() {
        assertThatThrownBy(() -> store.delete(key("default", "gone"), OptionalLong.empty()))
                .isInstanceOf(StorageException.NotFound.class);
    }

    @Test
    void listPagesWithContinueTokensReadOneSnapshot() {
        for (int i = 0; i < 7; i++) {
            store.create(key("default", "obj-" + i), json("{}"));
        }

        ListPage first = store.list(resource, Optional.empty(), ListRequest.firstPage(3));
        store.create(key("default", "obj-9-after-first-page"), json("{}"));
        ListPage second = store.list(resource, Optional.empty(), ListRequest.nextPage(3, first.continueToken()));
        ListPage third = store.list(resource, Optional.empty(), ListRequest.nextPage(3, second.continueToken()));

        assertThat(first.items()).extracting(o -> o.key().name()).containsExactly("obj-0", "obj-1", "obj-2");
        assertThat(first.remainingCount()).isEqualTo(4);
        assertThat(second.items()).extracting(o -> o.key().name()).containsExactly("obj-3", "obj-4", "obj-5");
        assertThat(third.items()).extracting(o -> o.key().name()).containsExactly("obj-6");
        assertThat(third.hasMore()).isFalse();
        assertThat(List.of(second.revision(), third.revision())).containsOnly(first.revision());
    }

    @Test
    void listOfOneNamespaceLeavesOutTheOthers() {
        store.create(key("team-a", "x"), json("{}"));
        store.create(key("team-b", "y"), json("{}"));
        store.create(key("team-ab", "z"), json("{}"));

        ListPage page = store.list(resource, Optional.of("team-a"), ListRequest.all());

        assertThat(page.items()).extracting(o -> o.key().name()).containsExactly("x");
    }

    @Test
    void listAtAnEarlierRevisionShowsTheStateThen() {
        StoredObject created = store.create(key("default", "a"), json("{\"v\":1}"));
        store.update(key("default", "a"), created.modRevision(), json("{\"v\":2}"));
        store.create(key("default", "b"), json("{}"));

        ListPage then = store.list(resource, Optional.empty(), ListRequest.atRevision(created.modRevision()));

        assertThat(then.revision()).isEqualTo(created.modRevision());
        assertThat(then.items()).singleElement()
                .satisfies(object -> assertThat(object.json()).asString(UTF_8).isEqualTo("{\"v\":1}"));
    }

    @Test
    void listWithoutResourceVersionReadsTheNewestRevision() {
        StoredObject created = store.create(key("default", "a"), json("{}"));

        ListPage page = store.list(resource, Optional.empty(), ListRequest.all());

        assertThat(page.revision()).isGreaterThanOrEqualTo(created.modRevision());
        assertThat(page.revision()).isLessThanOrEqualTo(store.currentRevision());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64 !", "djE6YWJjOmtleQ", "djk6MTA6a2V5", "djE6MTA6"})
    void continueTokenNotIssuedByTheStoreIsRejected(String token) {
        // "v1:abc:key", "v9:10:key", "v1:10:" in base64url
        assertThatThrownBy(() -> store.list(resource, Optional.empty(), ListRequest.nextPage(2, token)))
                .isInstanceOf(StorageException.InvalidContinue.class);
    }

    @Test
    void listRevisionInTheFutureIsUnavailable() {
        long future = store.currentRevision() + 1000;

        assertThatThrownBy(() -> store.list(resource, Optional.empty(), ListRequest.atRevision(future)))
                .isInstanceOf(StorageException.Unavailable.class)
                .hasMessageContaining("newer than etcd's newest revision");
    }

    @Test
    void manyObjectsInOneListComeInKeyOrder() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add("n" + (100 + i));
            store.create(key("default", "n" + (100 + i)), json("{}"));
        }

        assertThat(store.list(resource, Optional.of("default"), ListRequest.all()).items())
                .extracting(o -> o.key().name()).containsExactlyElementsOf(names);
    }
}
