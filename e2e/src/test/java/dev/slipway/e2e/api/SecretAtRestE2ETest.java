package dev.slipway.e2e.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Secret written through kubectl is stored encrypted: etcd holds no plaintext of its value. */
@Order(11)
class SecretAtRestE2ETest {

  @RegisterExtension
  static final ClusterUnderTest cluster = new ClusterUnderTest();

  private static final String VALUE = "e2e-plaintext-that-must-not-reach-etcd";
  private String namespace;

  @AfterEach
  void deleteNamespace() {
    if (namespace != null) {
      cluster.deleteNamespace(namespace);
    }
  }

  @Test
  void aSecretsValueReadRawFromEtcdIsNotPlaintext() throws Exception {
    // Given
    namespace = cluster.newNamespace("secret");
    ClusterUnderTest.apply(cluster.kubectl(), """
        apiVersion: v1
        kind: Secret
        metadata: {name: db, namespace: %s}
        stringData: {password: %s}
        """.formatted(namespace, VALUE));
    assertThat(cluster.kubectl().ok("get", "secret", "db", "-n", namespace, "-o", "jsonpath={.data.password}"))
        .as("the API gives the value back").isEqualTo(Base64.getEncoder().encodeToString(VALUE.getBytes(UTF_8)));

    // When
    byte[] raw = etcdGet("/registry/secrets/" + namespace + "/db");

    // Then
    String stored = new String(raw, UTF_8);
    assertThat(raw).as("etcd holds the Secret under Kubernetes' key").isNotEmpty();
    assertThat(stored).startsWith("k8s:enc:")
        .doesNotContain(VALUE)
        .doesNotContain(Base64.getEncoder().encodeToString(VALUE.getBytes(UTF_8)))
        .doesNotContain("\"password\"");
  }

  /** The value of one key, read straight from etcd with the cluster directory's etcd client certificate. */
  private static byte[] etcdGet(String key) throws IOException, InterruptedException {
    Path pki = cluster.clusterDir().resolve("pki");
    List<String> endpoints = new ArrayList<>();
    ClusterUnderTest.MASTERS.forEach(m -> endpoints.add("https://" + cluster.testbed().address(m) + ":2379"));
    var command = List.of("/usr/bin/etcdctl", "--endpoints=" + String.join(",", endpoints),
        "--cacert=" + pki.resolve("etcd/ca.crt"), "--cert=" + pki.resolve("apiserver-etcd-client.crt"),
        "--key=" + pki.resolve("apiserver-etcd-client.key"), "--dial-timeout=5s", "--command-timeout=10s",
        "get", key, "--print-value-only");
    var builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("ETCDCTL_API", "3");
    Process etcdctl = builder.start();
    byte[] value = etcdctl.getInputStream().readAllBytes();
    if (!etcdctl.waitFor(60, TimeUnit.SECONDS) || etcdctl.exitValue() != 0) {
      etcdctl.destroyForcibly();
      throw new AssertionError("etcdctl get " + key + " failed (its message is above): " + String.join(" ", command));
    }
    return value;
  }
}
