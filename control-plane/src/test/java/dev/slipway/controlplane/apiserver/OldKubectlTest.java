package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Debian's kubectl 1.20, which asks for {@code /openapi/v2} in protobuf before every client-side apply. */
class OldKubectlTest {

    private static final Path KUBECTL_1_20 = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("testbed/.state/tools/kubernetes-client/root/usr/bin/kubectl");

    private static ApiServerFixture cluster;
    private static String shop;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(KUBECTL_1_20), "kubectl 1.20 is not unpacked at " + KUBECTL_1_20 + " (testbed tools not fetched)");
        cluster = ApiServerFixture.start();
        try (InputStream in = OldKubectlTest.class.getResourceAsStream("/manifests/shop.yaml")) {
            shop = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ApiServerFixture.Run kubectl(String stdin, String... arguments) {
        return cluster.kubectlWithInput(KUBECTL_1_20, stdin, arguments);
    }

    @Test
    void applyCreatesAndThenFindsEveryObjectUnchanged() {
        String manifest = shop.replace("shop", "old-shop");

        var created = kubectl(manifest, "apply", "-f", "-").orFail();
        var again = kubectl(manifest, "apply", "-f", "-").orFail();

        assertThat(created.out()).contains("namespace/old-shop created", "configmap/web-config created", "secret/web-credentials created",
                "deployment.apps/web created", "service/web created", "ingress.networking.k8s.io/web created");
        assertThat(again.out()).contains("namespace/old-shop unchanged", "configmap/web-config unchanged", "secret/web-credentials unchanged",
                "deployment.apps/web unchanged", "service/web unchanged", "ingress.networking.k8s.io/web unchanged");
    }

    @Test
    void openApiV2IsStillJsonForJsonClients() {
        var run = kubectl(null, "get", "--raw", "/openapi/v2").orFail();

        assertThat(run.out()).startsWith("{").contains("\"swagger\":\"2.0\"");
    }
}
