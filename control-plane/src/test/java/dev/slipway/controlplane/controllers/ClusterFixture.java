package dev.slipway.controlplane.controllers;

import dev.slipway.controlplane.apiserver.ApiServer;
import dev.slipway.controlplane.apiserver.ApiServerConfig;
import dev.slipway.controlplane.storage.SecretEncryption;
import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.CertificateSpec;
import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.KeyAlgorithm;
import dev.slipway.pki.KeyUsage;
import dev.slipway.pki.Pem;
import dev.slipway.pki.SubjectAltNames;
import dev.slipway.pki.TlsIdentity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** A real etcd and the real API server on loopback, with admin fabric8 clients; closing removes everything. */
final class ClusterFixture implements AutoCloseable {

    private final Path directory;
    private final EtcdProcess etcd;
    private final ApiServer server;

    private ClusterFixture(Path directory, EtcdProcess etcd, ApiServer server) {
        this.directory = directory;
        this.etcd = etcd;
        this.server = server;
    }

    static ClusterFixture start() {
        try {
            Path directory = Files.createTempDirectory("slipway-controllers-");
            Instant now = Instant.now();
            CertificateAuthority ca = CertificateAuthority.create(new CertificateSpec("ca", "ca", new CertificateSpec.Issuer.SelfSigned(),
                    "slipway-test-ca", List.of(), Set.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.DIGITAL_SIGNATURE), Set.of(),
                    SubjectAltNames.NONE, Duration.ofDays(2)), KeyAlgorithm.ECDSA_P256, now);
            Path caFile = Files.writeString(directory.resolve("ca.crt"), Pem.encode(ca.certificate()));
            TlsIdentity serving = issue(ca, "kube-apiserver", List.of(), ExtendedUsage.SERVER_AUTH,
                    SubjectAltNames.of(List.of("127.0.0.1", "localhost")), now);
            Path servingCert = Files.writeString(directory.resolve("apiserver.crt"), Pem.encode(serving.certificate()));
            Path servingKey = Files.writeString(directory.resolve("apiserver.key"), Pem.encode(serving.key()));
            TlsIdentity admin = issue(ca, "admin", List.of("system:masters"), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE, now);
            Files.writeString(directory.resolve("admin.crt"), Pem.encode(admin.certificate()));
            Files.writeString(directory.resolve("admin.key"), Pem.encode(admin.key()));
            Path saPub = Files.writeString(directory.resolve("sa.pub"), Pem.encode(KeyAlgorithm.ECDSA_P256.generate().getPublic()));
            Path encryption = directory.resolve("encryption.keys");
            SecretEncryption.generateKeyFile(encryption, "key1");
            EtcdProcess etcd = EtcdProcess.start();
            try {
                ApiServer server = ApiServer.start(new ApiServerConfig("127.0.0.1", 0, servingCert, servingKey, caFile, etcd.connection(),
                        encryption, "10.96.0.0/16", 30000, 32767, saPub));
                return new ClusterFixture(directory, etcd, server);
            } catch (RuntimeException e) {
                etcd.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new admin client with HTTP watches, as the agent configures the controller manager's; the caller closes it. */
    KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url().toString()).withOnlyHttpWatches(true)
                .withCaCertFile(directory.resolve("ca.crt").toString())
                .withClientCertFile(directory.resolve("admin.crt").toString())
                .withClientKeyFile(directory.resolve("admin.key").toString())
                .withClientKeyAlgo("EC").withNamespace("default").build()).build();
    }

    private static TlsIdentity issue(CertificateAuthority ca, String commonName, List<String> organizations, ExtendedUsage usage,
                                     SubjectAltNames sans, Instant now) {
        KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
        CertificateSpec spec = new CertificateSpec(commonName, commonName, new CertificateSpec.Issuer.SignedBy("ca"), commonName,
                organizations, Set.of(KeyUsage.DIGITAL_SIGNATURE), Set.of(usage), sans, Duration.ofDays(1));
        return new TlsIdentity(pair.getPrivate(), List.of(ca.issue(spec, pair.getPublic(), now)));
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            etcd.close();
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // temp files; the OS cleans up eventually
            }
        }
    }
}
