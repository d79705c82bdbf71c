package dev.slipway.controlplane.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.storage.ObjectKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Every created object gets a uid of its own, on a real etcd. */
class ObjectUidTest {

    private static RestOnEtcd cluster;
    private static ObjectRest rest;

    @BeforeAll
    static void start() {
        cluster = RestOnEtcd.start();
        rest = cluster.rest();
        cluster.createNamespace("uids");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ResourceDescriptor resource(String plural) {
        return cluster.resource("", plural);
    }

    @Test
    void eachCreatedObjectGetsItsOwnRandomUidAndStoresIt() {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ObjectNode map = Json.object();
            Json.metadata(map).put("name", "map-" + i);
            uids.add(Json.textOr(rest.create(resource("configmaps"), "uids", map, Query.empty(), "test").body(), "", "metadata", "uid"));
        }

        assertThat(new HashSet<>(uids)).hasSize(50);
        assertThat(uids).allSatisfy(uid -> {
            UUID parsed = UUID.fromString(uid);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(parsed.toString()).isEqualTo(uid);
        });
        String stored = new String(cluster.store().get(new ObjectKey("configmaps", "uids", "map-7")).orElseThrow().json(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(stored).contains("\"uid\":\"" + uids.get(7) + "\"");
    }
}
