package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** fabric8's client against the API server: CRUD, an informer, and a watch from a compacted revision. */
class Fabric8ClientTest {

    private static ApiServerFixture cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        cluster = ApiServerFixture.start();
        client = new KubernetesClientBuilder().withConfig(adminConfig(cluster).build()).build();
    }

    private static ConfigBuilder adminConfig(ApiServerFixture fixture) {
        return new ConfigBuilder().withMasterUrl(fixture.server().url().toString())
                .withCaCertFile(fixture.caFile().toString())
                .withClientCertFile(fixture.directory().resolve("admin.crt").toString())
                .withClientKeyFile(fixture.directory().resolve("admin.key").toString())
                .withClientKeyAlgo("EC").withNamespace("default");
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .addToData("key", value).build();
    }

    /** Records adds, updates that change the resource version, and deletes, as "add NAME", "update VALUE", "delete NAME". */
    private static ResourceEventHandler<ConfigMap> recording(List<String> events) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap map) {
                events.add("add " + map.getMetadata().getName());
            }

            @Override
            public void onUpdate(ConfigMap before, ConfigMap after) {
                if (!before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    events.add("update " + after.getData().get("key"));
                }
            }

            @Override
            public void onDelete(ConfigMap map, boolean unknownFinalState) {
                events.add("delete " + map.getMetadata().getName());
            }
        };
    }

    @Test
    void createReadUpdateAndDeleteRoundTrip() {
        ConfigMap created = client.configMaps().resource(configMap("crud", "one")).create();

        ConfigMap read = client.configMaps().withName("crud").get();
        read.getData().put("key", "two");
        ConfigMap updated = client.configMaps().resource(read).update();
        boolean deleted = !client.configMaps().withName("crud").delete().isEmpty();

        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(updated.getData()).containsEntry("key", "two");
        assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(deleted).isTrue();
        assertThat(client.configMaps().withName("crud").get()).isNull();
    }

    @Test
    void updateWithAStaleResourceVersionIsAConflict() {
        ConfigMap created = client.configMaps().resource(configMap("stale", "one")).create();
        client.configMaps().withName("stale").edit(map -> new ConfigMapBuilder(map).addToData("key", "two").build());

        created.getData().put("key", "three");

        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(KubernetesClientException.class,
                () -> client.configMaps().resource(created).update()).getCode()).isEqualTo(409);
    }

    @Test
    void informerSeesAddUpdateAndDelete() {
        List<String> events = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("default").withLabel("watched", "yes")
                .inform(recording(events));
        try {
            ConfigMap map = configMap("informed", "one");
            map.getMetadata().setLabels(java.util.Map.of("watched", "yes"));
            client.configMaps().resource(map).create();
            client.configMaps().withName("informed").edit(current -> new ConfigMapBuilder(current).addToData("key", "two").build());
            client.configMaps().withName("informed").delete();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(events).containsSubsequence("add informed", "update two", "delete informed"));
        } finally {
            informer.close();
        }
    }

    @Test
    void informerCarriesOnAfterTheApiServerRestartsOnTheSamePort() {
        try (ApiServerFixture restarting = ApiServerFixture.start();
             // Short reconnect back-off so the informer's watch returns soon after the server does.
             KubernetesClient watching = new KubernetesClientBuilder().withConfig(adminConfig(restarting).withOnlyHttpWatches(true)
                     .withWatchReconnectInterval(100).withWatchReconnectLimit(-1).build()).build();
             KubernetesClient writing = new KubernetesClientBuilder().withConfig(adminConfig(restarting).build()).build()) {
            List<String> events = new CopyOnWriteArrayList<>();
            SharedIndexInformer<ConfigMap> informer = watching.configMaps().inNamespace("default").withLabel("restart", "yes")
                    .inform(recording(events));
            try {
                ConfigMap map = configMap("survivor", "one");
                map.getMetadata().setLabels(Map.of("restart", "yes"));
                writing.configMaps().resource(map).create();
                await().atMost(Duration.ofSeconds(30)).until(() -> events.contains("add survivor"));

                restarting.restartApiServer();
                writing.configMaps().withName("survivor").edit(current -> new ConfigMapBuilder(current).addToData("key", "two").build());
                writing.configMaps().withName("survivor").delete();

                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(events).containsSubsequence("add survivor", "update two", "delete survivor"));
            } finally {
                informer.close();
            }
        }
    }

    @Test
    void watchFromACompactedRevisionEndsWithGone() throws Exception {
        ConfigMap first = client.configMaps().resource(configMap("old", "one")).create();
        for (int i = 0; i < 5; i++) {
            String value = "v" + i;
            client.configMaps().withName("old").edit(map -> new ConfigMapBuilder(map).addToData("key", value).build());
        }
        cluster.etcd().compact(cluster.etcdRevision());
        CompletableFuture<WatcherException> closed = new CompletableFuture<>();

        var watch = client.configMaps().withResourceVersion(first.getMetadata().getResourceVersion()).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
            }

            @Override
            public void onClose(WatcherException cause) {
                closed.complete(cause);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(closed::isDone);
            assertThat(closed.get().isHttpGone()).isTrue();
        } finally {
            watch.close();
        }
    }

    @Test
    void aSelectedWatchSeesObjectsEnterAndLeaveItsSelection() throws Exception {
        ConfigMap before = client.configMaps().resource(configMap("drifting", "one")).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        var watch = client.configMaps().withLabel("team", "blue").withResourceVersion(before.getMetadata().getResourceVersion())
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap map) {
                        seen.add(action + " " + map.getData().get("key") + "@" + map.getMetadata().getResourceVersion());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
        try {
            ConfigMap joined = client.configMaps().withName("drifting").edit(map -> new ConfigMapBuilder(map)
                    .editMetadata().addToLabels("team", "blue").endMetadata().addToData("key", "two").build());
            ConfigMap changed = client.configMaps().withName("drifting").edit(map -> new ConfigMapBuilder(map).addToData("key", "three").build());
            ConfigMap left = client.configMaps().withName("drifting").edit(map -> new ConfigMapBuilder(map)
                    .editMetadata().removeFromLabels("team").endMetadata().addToData("key", "four").build());
            client.configMaps().withName("drifting").edit(map -> new ConfigMapBuilder(map).addToData("key", "five").build());
            ConfigMap back = client.configMaps().withName("drifting").edit(map -> new ConfigMapBuilder(map)
                    .editMetadata().addToLabels("team", "blue").endMetadata().addToData("key", "six").build());
            client.configMaps().withName("drifting").delete();

            await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 5);
            // Leaving the selection is a deletion carrying the last state the watch saw, at the change's version.
            assertThat(seen.subList(0, 4)).containsExactly(
                    "ADDED two@" + joined.getMetadata().getResourceVersion(),
                    "MODIFIED three@" + changed.getMetadata().getResourceVersion(),
                    "DELETED three@" + left.getMetadata().getResourceVersion(),
                    "ADDED six@" + back.getMetadata().getResourceVersion());
            assertThat(seen.get(4)).startsWith("DELETED six@");
        } finally {
            watch.close();
        }
    }

    @Test
    void aWatchOverAWebSocketSendsOneEventPerTextMessage() throws Exception {
        ConfigMap created = client.configMaps().resource(configMap("socket-watched", "one")).create();
        List<String> messages = new CopyOnWriteArrayList<>();
        SSLContext tls = TlsIdentity.load(cluster.directory().resolve("admin.crt"), cluster.directory().resolve("admin.key"))
                .sslContext(TrustedCertificates.load(cluster.caFile()));
        URI url = cluster.server().url();
        URI watch = URI.create("wss://" + url.getHost() + ":" + url.getPort() + "/api/v1/namespaces/default/configmaps?watch=true"
                + "&fieldSelector=metadata.name%3Dsocket-watched&resourceVersion=" + created.getMetadata().getResourceVersion());
        try (HttpClient http = HttpClient.newBuilder().sslContext(tls).build()) {
            WebSocket socket = http.newWebSocketBuilder().buildAsync(watch, new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        messages.add(partial.toString());
                        partial.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);

            client.configMaps().withName("socket-watched").edit(map -> new ConfigMapBuilder(map).addToData("key", "two").build());
            client.configMaps().withName("socket-watched").delete();

            await().atMost(Duration.ofSeconds(30)).until(() -> messages.size() >= 2);
            assertThat(messages.get(0)).startsWith("{\"type\":\"MODIFIED\"").contains("\"key\":\"two\"");
            assertThat(messages.get(1)).startsWith("{\"type\":\"DELETED\"");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        }
    }
}
