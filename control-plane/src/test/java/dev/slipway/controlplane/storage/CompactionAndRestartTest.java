package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.testing.EtcdProcess;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What happens when etcd forgets history or goes away: each test has an etcd of its own. */
class CompactionAndRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private EtcdProcess etcd;
    private EtcdObjectStore store;

    @BeforeEach
    void startEtcd() {
        etcd = EtcdProcess.start();
        store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY,
                new EtcdObjectStore.Settings(8, 1000, Duration.ofSeconds(10)));
    }

    @AfterEach
    void stopEtcd() {
        store.close();
        etcd.close();
    }

    private static ObjectKey key(String name) {
        return new ObjectKey("pods", "default", name);
    }

    private static byte[] json(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void watchFromACompactedRevisionIsExpired() {
        long old = store.create(key("a"), json("{}")).modRevision();
        long newer = store.create(key("b"), json("{}")).modRevision();
        etcd.compact(newer);

        assertThatThrownBy(() -> store.watch("pods", Optional.empty(), old, new RecordingListener()))
                .isInstanceOfSatisfying(StorageException.Expired.class,
                        expired -> assertThat(expired.compactedRevision()).isEqualTo(newer));
    }

    @Test
    void continueTokenOfACompactedRevisionIsExpired() {
        for (int i = 0; i < 4; i++) {
            store.create(key("p" + i), json("{}"));
        }
        ListPage first = store.list("pods", Optional.empty(), ListRequest.firstPage(2));
        long later = store.create(key("later"), json("{}")).modRevision();
        etcd.compact(later);

        assertThatThrownBy(() -> store.list("pods", Optional.empty(), ListRequest.nextPage(2, first.continueToken())))
                .isInstanceOfSatisfying(StorageException.Expired.class,
                        expired -> assertThat(expired.compactedRevision()).isEqualTo(later))
                .hasMessageContaining("continue");
    }

    @Test
    void listAtACompactedRevisionIsExpired() {
        long old = store.create(key("a"), json("{}")).modRevision();
        long newer = store.create(key("b"), json("{}")).modRevision();
        etcd.compact(newer);

        assertThatThrownBy(() -> store.list("pods", Optional.empty(), ListRequest.atRevision(old)))
                .isInstanceOf(StorageException.Expired.class);
        assertThat(store.list("pods", Optional.empty(), ListRequest.atRevision(newer)).items()).hasSize(2);
    }

    @Test
    void watchInsideTheCacheRingStillReplaysAfterCompaction() {
        RecordingListener warm = new RecordingListener();
        try (Watch cache = store.watch("pods", Optional.empty(), 0, warm)) {
            long start = store.create(key("a"), json("{}")).modRevision();
            long end = store.create(key("b"), json("{}")).modRevision();
            await().atMost(WAIT).until(() -> warm.changes().size() == 2);

            RecordingListener fromRing = new RecordingListener();
            try (Watch replay = store.watch("pods", Optional.empty(), start, fromRing)) {
                await().atMost(WAIT).until(() -> fromRing.changes().size() == 1);
                assertThat(fromRing.changes()).containsExactly("ADDED b@" + end);
            }
        }
    }

    @Test
    void watchResumesAfterEtcdRestartWithoutLosingOrRepeatingEvents() {
        RecordingListener listener = new RecordingListener();
        long start = store.currentRevision();
        try (Watch watch = store.watch("pods", Optional.empty(), start, listener)) {
            store.create(key("before"), json("{}"));
            await().atMost(WAIT).until(() -> listener.changes().size() == 1);

            etcd.kill();
            etcd.resume();
            // Written at once, while the store's watch is most likely still reconnecting.
            etcd.etcdctl("put", "/registry/pods/default/during", "{}");
            await().atMost(WAIT).ignoreExceptions().until(() -> store.create(key("after"), json("{}")) != null);

            await().atMost(WAIT).until(() -> listener.changes().size() >= 3);
        }

        assertThat(listener.names()).containsExactly("before", "during", "after");
        assertThat(listener.closedWith.get()).isNull();
    }

    @Test
    void writesWhileEtcdIsDownAreUnavailable() {
        etcd.kill();

        assertThatThrownBy(() -> store.create(key("a"), json("{}")))
                .isInstanceOf(StorageException.Unavailable.class)
                .hasMessageContaining("create /registry/pods/default/a");
    }
}
