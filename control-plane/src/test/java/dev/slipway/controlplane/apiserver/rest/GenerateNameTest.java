package dev.slipway.controlplane.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.apiserver.core.Json;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** {@code metadata.generateName} as Kubernetes reads it, on namespaces (whose names are 63-character DNS labels), on a real etcd. */
class GenerateNameTest {

    private static RestOnEtcd cluster;

    @BeforeAll
    static void start() {
        cluster = RestOnEtcd.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aGeneratedNameIsTheBaseAndFiveCharactersOfKubernetesAlphabet() {
        assertThat(createdName("team-", null)).matches("team-[bcdfghjklmnpqrstvwxz2456789]{5}");
    }

    @Test
    void everyCreateGetsANameOfItsOwn() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            names.add(createdName("many-", null));
        }
        assertThat(names).hasSize(20);
    }

    @Test
    void aGivenNameWins() {
        assertThat(createdName("ignored-", "chosen")).isEqualTo("chosen");
    }

    @Test
    void aLongBaseIsCutSoThatTheNameStillFitsADnsLabel() {
        String base = "x".repeat(70);

        String name = createdName(base, null);

        assertThat(name).hasSize(63).startsWith("x".repeat(58));
    }

    private static String createdName(String generateName, String name) {
        ObjectNode namespace = Json.object();
        ObjectNode metadata = Json.metadata(namespace);
        metadata.put("generateName", generateName);
        if (name != null) {
            metadata.put("name", name);
        }
        Reply reply = cluster.rest().create(cluster.resource("", "namespaces"), "", namespace, Query.empty(), "test");
        assertThat(reply.code()).isEqualTo(201);
        return Json.textOr(reply.body(), "", "metadata", "name");
    }
}
