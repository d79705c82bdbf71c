package dev.slipway.controlplane.apiserver.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.storage.EtcdObjectStore;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.ValueTransformer;
import dev.slipway.controlplane.testing.EtcdProcess;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The namespace check of every create, on a real etcd, with namespaces written by "another server" (the store directly). */
class NamespaceLifecycleTest {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration WATCH_DELAY = Duration.ofSeconds(10);
    private static EtcdProcess etcd;
    private static EtcdObjectStore store;
    private NamespaceLifecycle lifecycle;
    private String name;

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
    void freshName() {
        name = "ns" + NAMES.incrementAndGet();
    }

    @AfterEach
    void stop() {
        if (lifecycle != null) {
            lifecycle.close();
        }
    }

    private static ObjectKey key(String namespace) {
        return ObjectKey.clusterScoped("namespaces", namespace);
    }

    private static byte[] namespace(String namespace, boolean terminating) {
        String deletion = terminating ? ",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"" : "";
        return ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"" + deletion + "}}").getBytes(UTF_8);
    }

    private static int codeOf(Runnable check) {
        try {
            check.run();
            return 200;
        } catch (ApiError e) {
            return e.code();
        }
    }

    @Test
    void aNamespaceListedAtStartAdmitsContent() {
        store.create(key(name), namespace(name, false));

        lifecycle = NamespaceLifecycle.start(store);

        assertThatCode(() -> lifecycle.requireLive(name)).doesNotThrowAnyException();
    }

    @Test
    void aMissingNamespaceIsNotFound() {
        lifecycle = NamespaceLifecycle.start(store);

        assertThatThrownBy(() -> lifecycle.requireLive(name)).isInstanceOfSatisfying(ApiError.class,
                error -> assertThat(error.code()).isEqualTo(404));
    }

    @Test
    void aNamespaceCreatedElsewhereAdmitsContentAtOnceWithoutWaitingForTheWatch() {
        lifecycle = NamespaceLifecycle.start(store);

        store.create(key(name), namespace(name, false));

        assertThatCode(() -> lifecycle.requireLive(name)).doesNotThrowAnyException();
    }

    @Test
    void aNamespaceMarkedTerminatingElsewhereRefusesContent() {
        StoredObject live = store.create(key(name), namespace(name, false));
        lifecycle = NamespaceLifecycle.start(store);

        store.update(key(name), live.modRevision(), namespace(name, true));

        await().atMost(WATCH_DELAY).until(() -> codeOf(() -> lifecycle.requireLive(name)) == 403);
    }

    @Test
    void aNamespaceThisServerMarksTerminatingRefusesContentAtOnce() {
        StoredObject live = store.create(key(name), namespace(name, false));
        lifecycle = NamespaceLifecycle.start(store);
        lifecycle.requireLive(name);

        lifecycle.observe(store.update(key(name), live.modRevision(), namespace(name, true)));

        assertThatThrownBy(() -> lifecycle.requireLive(name)).isInstanceOfSatisfying(ApiError.class,
                error -> assertThat(error.code()).isEqualTo(403));
    }

    @Test
    void aNamespaceDeletedElsewhereIsNotFound() {
        StoredObject terminating = store.create(key(name), namespace(name, true));
        lifecycle = NamespaceLifecycle.start(store);

        store.delete(key(name), OptionalLong.of(terminating.modRevision()));

        await().atMost(WATCH_DELAY).until(() -> codeOf(() -> lifecycle.requireLive(name)) == 404);
    }
}
