package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.testing.EtcdCluster;
import dev.slipway.controlplane.testing.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store against a three-member etcd cluster, one member of which dies. */
class ClusterFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void writesAndWatchCarryOnWhenAMemberDies() {
        try (EtcdCluster cluster = EtcdCluster.start(3);
             EtcdObjectStore store = EtcdObjectStore.connect(cluster.connection(), ValueTransformer.IDENTITY)) {
            RecordingListener listener = new RecordingListener();
            List<String> written = new ArrayList<>();
            try (Watch watch = store.watch("pods", Optional.empty(), store.currentRevision(), listener)) {
                for (int i = 0; i < 5; i++) {
                    written.add(create(store, "before-" + i));
                }

                cluster.member(0).kill();
                for (int i = 0; i < 5; i++) {
                    written.add(create(store, "after-" + i));
                }

                await().atMost(WAIT).until(() -> listener.changes().size() >= written.size());
            }

            assertThat(listener.names()).containsExactlyElementsOf(written);
            assertThat(listener.closedWith.get()).isNull();
        }
    }

    @Test
    void watchersAreExpiredWhenHistoryIsCompactedWhileTheirMemberIsAway() {
        try (EtcdCluster cluster = EtcdCluster.start(3);
             EtcdObjectStore onlyFirst = EtcdObjectStore.connect(
                     EtcdConnection.plaintext(List.of(cluster.member(0).endpoint())), ValueTransformer.IDENTITY);
             EtcdObjectStore others = EtcdObjectStore.connect(
                     EtcdConnection.plaintext(List.of(cluster.member(1).endpoint(), cluster.member(2).endpoint())), ValueTransformer.IDENTITY)) {
            RecordingListener listener = new RecordingListener();
            Watch watch = onlyFirst.watch("pods", Optional.empty(), 0, listener);
            create(others, "seen");
            await().atMost(WAIT).until(() -> listener.changes().size() == 1);

            cluster.member(0).kill();
            create(others, "missed");
            long compactAt = others.create(new ObjectKey("pods", "default", "compacted-over"), "{}".getBytes(UTF_8)).modRevision();
            cluster.member(1).compact(compactAt);
            cluster.member(0).resume();

            await().atMost(WAIT).until(() -> listener.closedWith.get() != null);
            assertThat(listener.closedWith.get()).isInstanceOf(StorageException.Expired.class);
            watch.close();

            // A client that re-lists and watches again gets a fresh cache.
            long relisted = onlyFirst.list("pods", Optional.empty(), ListRequest.all()).revision();
            RecordingListener again = new RecordingListener();
            try (Watch fresh = onlyFirst.watch("pods", Optional.empty(), relisted, again)) {
                create(others, "after-reset");
                await().atMost(WAIT).until(() -> again.names().contains("after-reset"));
            }
        }
    }

    @Test
    void writesCarryOnWhicheverMemberFreezesWithoutClosingItsConnections() throws Exception {
        // A stopped process's kernel still acknowledges TCP, as with a hung host: only the client's pings can tell.
        EtcdObjectStore.Settings quick = new EtcdObjectStore.Settings(64, 128, Duration.ofSeconds(3));
        try (EtcdCluster cluster = EtcdCluster.start(3);
             EtcdObjectStore store = EtcdObjectStore.connect(cluster.connection(), ValueTransformer.IDENTITY, quick)) {
            create(store, "before");
            for (int member = 0; member < 3; member++) {
                ProcessHandle frozen = etcdProcessOf(cluster.member(member));
                signal(frozen, "STOP");
                try {
                    create(store, "while-member-" + member + "-is-frozen");
                } finally {
                    signal(frozen, "CONT");
                }
            }

            assertThat(store.list("pods", Optional.empty(), ListRequest.all()).items()).hasSize(4);
        }
    }

    @Test
    void aFrozenMemberStopsTakingCallsOnceThePingsFindIt() throws Exception {
        EtcdObjectStore.Settings quick = new EtcdObjectStore.Settings(64, 128, Duration.ofSeconds(3));
        try (EtcdCluster cluster = EtcdCluster.start(3);
             EtcdObjectStore store = EtcdObjectStore.connect(cluster.connection(), ValueTransformer.IDENTITY, quick)) {
            create(store, "before");
            ProcessHandle frozen = etcdProcessOf(cluster.member(0));
            signal(frozen, "STOP");
            try {
                AtomicInteger next = new AtomicInteger();
                // Calls go round robin: six in a row succeed only once the frozen member is out of the rotation.
                await().atMost(Duration.ofSeconds(45)).ignoreException(StorageException.Unavailable.class).until(() -> {
                    for (int i = 0; i < 6; i++) {
                        store.create(new ObjectKey("pods", "default", "in-a-row-" + next.incrementAndGet()), "{}".getBytes(UTF_8));
                    }
                    return true;
                });
            } finally {
                signal(frozen, "CONT");
            }
        }
    }

    private static ProcessHandle etcdProcessOf(EtcdProcess member) {
        String dataDirectory = member.dataDirectory().toString();
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().arguments().map(arguments -> List.of(arguments).contains(dataDirectory)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no etcd process with data directory " + dataDirectory));
    }

    private static void signal(ProcessHandle process, String signal) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        assertThat(exit).as("kill -%s %d", signal, process.pid()).isZero();
    }

    /** Creates an object, retrying while the client fails over to a live member. */
    private static String create(EtcdObjectStore store, String name) {
        ObjectKey key = new ObjectKey("pods", "default", name);
        await().atMost(WAIT).ignoreException(StorageException.Unavailable.class).until(() -> {
            try {
                store.create(key, "{}".getBytes(UTF_8));
            } catch (StorageException.AlreadyExists e) {
                // An earlier attempt went through although its answer was lost.
            }
            return true;
        });
        return name;
    }
}
