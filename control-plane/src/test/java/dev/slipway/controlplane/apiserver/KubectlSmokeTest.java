package dev.slipway.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KubectlSmokeTest {

    private static ApiServerFixture cluster;

    @BeforeAll
    static void start() {
        cluster = ApiServerFixture.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void kubectlListsTheBootstrapNamespaces() {
        var run = cluster.kubectl("get", "namespaces");
        System.out.println(run);
        assertThat(run.orFail().out()).contains("default", "kube-system");
    }
}
