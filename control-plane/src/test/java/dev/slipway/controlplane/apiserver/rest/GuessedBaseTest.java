package dev.slipway.controlplane.apiserver.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.patch.PatchType;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import dev.slipway.controlplane.storage.EtcdObjectStore;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StoredObject;
import dev.slipway.controlplane.storage.ValueTransformer;
import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.controlplane.testing.ForwardingObjectStore;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Read-modify-writes that start from the newest state a server has seen instead of reading etcd:
 * two servers (two stores, as two masters' API servers) on one real etcd, where server A's guess
 * goes stale whenever server B writes, since nobody watches config maps here.
 */
class GuessedBaseTest {

    private static final String NAMESPACE = "guesses";
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static EtcdProcess etcd;
    private static CountingStore storeA;
    private static EtcdObjectStore storeB;
    private static NamespaceLifecycle namespacesA;
    private static NamespaceLifecycle namespacesB;
    private static ObjectRest serverA;
    private static ObjectRest serverB;

    @BeforeAll
    static void start() {
        etcd = EtcdProcess.start();
        storeA = new CountingStore(EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY));
        storeB = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY);
        namespacesA = NamespaceLifecycle.start(storeA);
        namespacesB = NamespaceLifecycle.start(storeB);
        serverA = new ObjectRest(storeA, ResourceRegistry.builtIn(), new ServiceAllocations(storeA, "10.96.0.0/12", 30000, 32767), namespacesA);
        serverB = new ObjectRest(storeB, ResourceRegistry.builtIn(), new ServiceAllocations(storeB, "10.96.0.0/12", 30000, 32767), namespacesB);
        ObjectNode namespace = Json.object();
        Json.metadata(namespace).put("name", NAMESPACE);
        serverA.create(resource("namespaces"), "", namespace, Query.empty(), "test");
    }

    @AfterAll
    static void stop() {
        namespacesA.close();
        namespacesB.close();
        storeA.close();
        storeB.close();
        etcd.close();
    }

    @Test
    void anUpdateAtTheVersionTheServerLastWroteDoesNotReadEtcdFirst() {
        String name = createdThroughA("team", "a");
        ObjectNode map = stored(name);
        ((ObjectNode) map.get("data")).put("team", "b");
        int readsBefore = storeA.gets.get();

        Reply reply = serverA.update(configMaps(), NAMESPACE, name, "", map, Query.empty(), "test");

        assertThat(storeA.gets.get()).isEqualTo(readsBefore);
        assertThat(Json.textOr(reply.body(), "", "data", "team")).isEqualTo("b");
        assertThat(Json.textOr(stored(name), "", "data", "team")).isEqualTo("b");
    }

    @Test
    void aPatchOnAGuessThatAnotherServerOutdatedKeepsBothChanges() {
        String name = createdThroughA("team", "a");
        serverB.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"owner\":\"b\"}}"), Query.empty(), "test");

        serverA.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"team\":\"c\"}}"), Query.empty(), "test");

        ObjectNode now = stored(name);
        assertThat(Json.textOr(now, "", "data", "owner")).isEqualTo("b");
        assertThat(Json.textOr(now, "", "data", "team")).isEqualTo("c");
    }

    @Test
    void aPatchThatChangesNothingOnAnOutdatedGuessIsStillWrittenOverTheNewerState() {
        String name = createdThroughA("team", "a");
        serverB.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"team\":\"b\"}}"), Query.empty(), "test");

        Reply reply = serverA.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"team\":\"a\"}}"), Query.empty(),
                "test");

        assertThat(Json.textOr(stored(name), "", "data", "team")).isEqualTo("a");
        assertThat(Json.textOr(reply.body(), "", "metadata", "resourceVersion")).isEqualTo(Json.textOr(stored(name), "", "metadata",
                "resourceVersion"));
    }

    @Test
    void anUpdateAtTheVersionAnotherServerWroteSucceedsAndOneAtTheOutdatedVersionIsRefused() {
        String name = createdThroughA("team", "a");
        ObjectNode outdated = stored(name);
        serverB.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"team\":\"b\"}}"), Query.empty(), "test");
        ObjectNode current = stored(name);

        ((ObjectNode) outdated.get("data")).put("team", "stale");
        assertThatThrownBy(() -> serverA.update(configMaps(), NAMESPACE, name, "", outdated, Query.empty(), "test"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(409));
        assertThat(Json.textOr(stored(name), "", "data", "team")).isEqualTo("b");

        ((ObjectNode) current.get("data")).put("team", "c");
        serverA.update(configMaps(), NAMESPACE, name, "", current, Query.empty(), "test");
        assertThat(Json.textOr(stored(name), "", "data", "team")).isEqualTo("c");
    }

    @Test
    void aPatchOfAnObjectAnotherServerDeletedIsNotFound() {
        String name = createdThroughA("team", "a");
        serverB.delete(configMaps(), NAMESPACE, name, Json.object(), Query.empty());

        assertThatThrownBy(() -> serverA.patch(configMaps(), NAMESPACE, name, "", PatchType.MERGE, bytes("{\"data\":{\"team\":\"c\"}}"),
                Query.empty(), "test")).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(404));
        assertThat(storeB.get(new ObjectKey("configmaps", NAMESPACE, name))).isEmpty();
    }

    private static String createdThroughA(String key, String value) {
        String name = "map-" + NAMES.incrementAndGet();
        ObjectNode map = Json.object();
        Json.metadata(map).put("name", name);
        map.putObject("data").put(key, value);
        serverA.create(configMaps(), NAMESPACE, map, Query.empty(), "test");
        return name;
    }

    /** The object as etcd has it, read through server B (which never guesses for a get). */
    private static ObjectNode stored(String name) {
        return (ObjectNode) serverB.get(configMaps(), NAMESPACE, name, "").body();
    }

    private static ResourceDescriptor configMaps() {
        return resource("configmaps");
    }

    private static ResourceDescriptor resource(String plural) {
        return serverA.registry().find("", "v1", plural).orElseThrow();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(UTF_8);
    }

    /** Server A's store, counting its reads of single objects from etcd. */
    private static final class CountingStore extends ForwardingObjectStore {
        final AtomicInteger gets = new AtomicInteger();

        CountingStore(ObjectStore store) {
            super(store);
        }

        @Override
        public Optional<StoredObject> get(ObjectKey key) {
            gets.incrementAndGet();
            return super.get(key);
        }
    }
}
