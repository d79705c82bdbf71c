package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.controlplane.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against an etcd that serves TLS and requires client certificates. */
class EtcdTlsTest {

    @TempDir
    static Path directory;
    private static TestCertificates ca;
    private static EtcdProcess etcd;
    private static TestCertificates.Issued client;

    @BeforeAll
    static void startTlsEtcd() {
        ca = TestCertificates.newCa(directory.resolve("etcd-ca"), "etcd");
        TestCertificates.Issued server = ca.server("etcd-server");
        client = ca.client("apiserver-etcd-client", null);
        etcd = EtcdProcess.startTls(new EtcdProcess.ServerTls(server.caPem(), server.certPem(), server.keyPem()),
                new EtcdProcess.ClientTls(client.caPem(), client.certPem(), client.keyPem()));
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    private static EtcdObjectStore.Settings quickSettings() {
        return new EtcdObjectStore.Settings(64, 64, Duration.ofSeconds(3));
    }

    @Test
    void storeWithAClientCertificateReadsAndWrites() {
        try (EtcdObjectStore store = EtcdObjectStore.connect(
                etcd.connection(new EtcdProcess.ClientTls(client.caPem(), client.certPem(), client.keyPem())),
                ValueTransformer.IDENTITY, quickSettings())) {
            ObjectKey key = new ObjectKey("configmaps", "default", "over-tls");
            store.create(key, "{}".getBytes(UTF_8));

            assertThat(store.get(key)).isPresent();
        }
    }

    @Test
    void clientKeyInSec1FormWorksToo() throws Exception {
        // openssl and older tools write EC keys as "EC PRIVATE KEY" (SEC1), not PKCS#8.
        Path sec1 = directory.resolve("client-sec1.key");
        Process openssl = new ProcessBuilder("openssl", "ec", "-in", client.keyPem().toString(), "-out", sec1.toString())
                .redirectErrorStream(true).start();
        assertThat(openssl.waitFor()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
        assertThat(java.nio.file.Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        try (EtcdObjectStore store = EtcdObjectStore.connect(
                EtcdConnection.mutualTls(List.of(etcd.endpoint()), client.caPem(), client.certPem(), sec1),
                ValueTransformer.IDENTITY, quickSettings())) {
            assertThat(store.currentRevision()).isPositive();
        }
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() {
        TestCertificates stranger = TestCertificates.newCa(directory.resolve("other-ca"), "stranger");
        TestCertificates.Issued foreign = stranger.client("intruder", null);
        try (EtcdObjectStore store = EtcdObjectStore.connect(
                EtcdConnection.mutualTls(List.of(etcd.endpoint()), ca.caPem(), foreign.certPem(), foreign.keyPem()),
                ValueTransformer.IDENTITY, quickSettings())) {

            assertThatThrownBy(() -> store.get(new ObjectKey("configmaps", "default", "x")))
                    .isInstanceOf(StorageException.Unavailable.class);
        }
    }

    @Test
    void etcdWhoseCertificateDoesNotNameItsAddressIsRefused() {
        TestCertificates.Issued elsewhere = ca.server("etcd-elsewhere", List.of("etcd.example", "10.9.9.9"));
        try (EtcdProcess impostor = EtcdProcess.startTls(
                new EtcdProcess.ServerTls(elsewhere.caPem(), elsewhere.certPem(), elsewhere.keyPem()),
                new EtcdProcess.ClientTls(client.caPem(), client.certPem(), client.keyPem()));
             EtcdObjectStore store = EtcdObjectStore.connect(
                     impostor.connection(new EtcdProcess.ClientTls(client.caPem(), client.certPem(), client.keyPem())),
                     ValueTransformer.IDENTITY, quickSettings())) {

            assertThatThrownBy(() -> store.get(new ObjectKey("configmaps", "default", "x")))
                    .isInstanceOf(StorageException.Unavailable.class);
        }
    }

    @Test
    void missingTlsFileIsNamed() {
        Path missing = directory.resolve("no-such.key");

        assertThatThrownBy(() -> EtcdObjectStore.connect(
                EtcdConnection.mutualTls(List.of(etcd.endpoint()), ca.caPem(), client.certPem(), missing), ValueTransformer.IDENTITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void plainEndpointWithTlsConfiguredIsRefused() {
        assertThatThrownBy(() -> EtcdConnection.mutualTls(List.of(java.net.URI.create("http://127.0.0.1:2379")),
                client.caPem(), client.certPem(), client.keyPem()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://host:port");
    }
}
