package dev.slipway.controlplane.testing;

import dev.slipway.controlplane.apiserver.ApiServer;
import dev.slipway.controlplane.apiserver.ApiServerConfig;
import dev.slipway.controlplane.storage.SecretEncryption;
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

/**
 * A real etcd and the real API server on loopback with a throw-away CA, in a temporary directory
 * that holds the CA ({@code ca.crt}), the serving pair, the service-account pair ({@code sa.pub},
 * {@code sa.key}), the encryption keys and an admin client pair in {@code system:masters}
 * ({@code admin.crt}, {@code admin.key}). Clients for any user of that CA, so components run under
 * the real RBAC policy. Closing stops both and removes the directory.
 */
public final class ApiCluster implements AutoCloseable {

    private final Path directory;
    private final EtcdProcess etcd;
    private final CertificateAuthority ca;
    private final ApiServerConfig config;
    private ApiServer server;

    private ApiCluster(Path directory, EtcdProcess etcd, CertificateAuthority ca, ApiServerConfig config, ApiServer server) {
        this.directory = directory;
        this.etcd = etcd;
        this.ca = ca;
        this.config = config;
        this.server = server;
    }

    public static ApiCluster start() {
        try {
            Path directory = Files.createTempDirectory("slipway-api-cluster-");
            Instant now = Instant.now();
            CertificateAuthority ca = CertificateAuthority.create(new CertificateSpec("ca", "ca", new CertificateSpec.Issuer.SelfSigned(),
                    "slipway-test-ca", List.of(), Set.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.DIGITAL_SIGNATURE), Set.of(),
                    SubjectAltNames.NONE, Duration.ofDays(2)), KeyAlgorithm.ECDSA_P256, now);
            Path caFile = Files.writeString(directory.resolve("ca.crt"), Pem.encode(ca.certificate()));
            TlsIdentity serving = issue(ca, "kube-apiserver", List.of(), ExtendedUsage.SERVER_AUTH,
                    SubjectAltNames.of(List.of("127.0.0.1", "localhost")), now);
            Path servingCert = Files.writeString(directory.resolve("apiserver.crt"), Pem.encode(serving.certificate()));
            Path servingKey = Files.writeString(directory.resolve("apiserver.key"), Pem.encode(serving.key()));
            write(directory, "admin", issue(ca, "admin", List.of("system:masters"), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE, now));
            KeyPair serviceAccounts = KeyAlgorithm.ECDSA_P256.generate();
            Path saPub = Files.writeString(directory.resolve("sa.pub"), Pem.encode(serviceAccounts.getPublic()));
            Files.writeString(directory.resolve("sa.key"), Pem.encode(serviceAccounts.getPrivate()));
            Path encryption = directory.resolve("encryption.keys");
            SecretEncryption.generateKeyFile(encryption, "key1");
            EtcdProcess etcd = EtcdProcess.start();
            try {
                ApiServerConfig config = new ApiServerConfig("127.0.0.1", 0, servingCert, servingKey, caFile, etcd.connection(),
                        encryption, "10.96.0.0/16", 30000, 32767, saPub);
                return new ApiCluster(directory, etcd, ca, config, ApiServer.start(config));
            } catch (RuntimeException e) {
                etcd.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ApiServer server() {
        return server;
    }

    /** Stops the API server and starts a new one on the same port and etcd, so clients' URLs stay valid. */
    public void restartApiServer() {
        int port = server.port();
        server.close();
        server = ApiServer.start(config.withPort(port));
    }

    public EtcdProcess etcd() {
        return etcd;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Path directory() {
        return directory;
    }

    public Path caFile() {
        return directory.resolve("ca.crt");
    }

    /** A client certificate of this CA for {@code user} in {@code groups}, written as {@code <user>.crt} and {@code <user>.key}. */
    public TlsIdentity issue(String user, List<String> groups) {
        try {
            return write(directory, user, issue(ca, user, groups, ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE, Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new client authenticated as {@code user} in {@code groups}, with HTTP watches as the agent's components use; the caller closes it. */
    public KubernetesClient client(String user, List<String> groups) {
        issue(user, groups);
        String file = fileName(user);
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url().toString())
                .withCaCertFile(caFile().toString()).withClientCertFile(directory.resolve(file + ".crt").toString())
                .withClientKeyFile(directory.resolve(file + ".key").toString()).withClientKeyAlgo("EC").withNamespace("default")
                .withOnlyHttpWatches(true).build()).build();
    }

    /** A new client in {@code system:masters}; the caller closes it. */
    public KubernetesClient admin() {
        return client("admin", List.of("system:masters"));
    }

    private static TlsIdentity write(Path directory, String user, TlsIdentity identity) throws IOException {
        String file = fileName(user);
        Files.writeString(directory.resolve(file + ".crt"), Pem.encode(identity.certificate()));
        Files.writeString(directory.resolve(file + ".key"), Pem.encode(identity.key()));
        return identity;
    }

    private static String fileName(String user) {
        return user.replace(':', '_');
    }

    private static TlsIdentity issue(CertificateAuthority ca, String commonName, List<String> organizations, ExtendedUsage usage,
                                     SubjectAltNames sans, Instant now) {
        KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
        CertificateSpec spec = new CertificateSpec(commonName.replace(':', '-'), commonName.replace(':', '-'),
                new CertificateSpec.Issuer.SignedBy("ca"), commonName, organizations, Set.of(KeyUsage.DIGITAL_SIGNATURE), Set.of(usage), sans,
                Duration.ofDays(1));
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
