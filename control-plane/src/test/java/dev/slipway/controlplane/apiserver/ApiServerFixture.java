package dev.slipway.controlplane.apiserver;

import dev.slipway.controlplane.storage.SecretEncryption;
import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.CertificateSpec;
import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.KeyAlgorithm;
import dev.slipway.pki.KeyUsage;
import dev.slipway.pki.Kubeconfig;
import dev.slipway.pki.Pem;
import dev.slipway.pki.SubjectAltNames;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd, a test PKI (cluster CA, serving certificate for 127.0.0.1, an admin client
 * certificate in system:masters), and an API server on a free loopback port; plus a kubeconfig for
 * the real kubectl. Closing stops everything and deletes the files.
 */
final class ApiServerFixture implements AutoCloseable {

    /** What a kubectl run printed. */
    record Run(int exitCode, String out, String err) {
        Run orFail() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl failed (" + exitCode + "): " + err + out);
            }
            return this;
        }
    }

    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final EtcdProcess etcd;
    private final ApiServerConfig config;
    private ApiServer server;
    private final Path kubeconfig;
    private final CertificateAuthority ca;
    private final Path caFile;

    private final TlsIdentity admin;

    private ApiServerFixture(Path directory, EtcdProcess etcd, ApiServerConfig config, ApiServer server, Path kubeconfig,
                             CertificateAuthority ca, Path caFile, TlsIdentity admin) {
        this.admin = admin;
        this.directory = directory;
        this.etcd = etcd;
        this.config = config;
        this.server = server;
        this.kubeconfig = kubeconfig;
        this.ca = ca;
        this.caFile = caFile;
    }

    static ApiServerFixture start() {
        try {
            Path directory = Files.createTempDirectory("slipway-apiserver-");
            Instant now = Instant.now();
            CertificateAuthority ca = CertificateAuthority.create(new CertificateSpec("ca", "ca", new CertificateSpec.Issuer.SelfSigned(),
                    "slipway-test-ca", List.of(), Set.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.DIGITAL_SIGNATURE), Set.of(),
                    SubjectAltNames.NONE, Duration.ofDays(2)), KeyAlgorithm.ECDSA_P256, now);
            Path caFile = write(directory.resolve("ca.crt"), Pem.encode(ca.certificate()));
            TlsIdentity serving = issue(ca, "kube-apiserver", List.of(), ExtendedUsage.SERVER_AUTH,
                    SubjectAltNames.of(List.of("127.0.0.1", "localhost")), now);
            Path servingCert = write(directory.resolve("apiserver.crt"), Pem.encode(serving.certificate()));
            Path servingKey = write(directory.resolve("apiserver.key"), Pem.encode(serving.key()));
            TlsIdentity admin = issue(ca, "admin", List.of("system:masters"), ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE, now);
            KeyPair serviceAccounts = KeyAlgorithm.ECDSA_P256.generate();
            Path saPub = write(directory.resolve("sa.pub"), Pem.encode(serviceAccounts.getPublic()));
            write(directory.resolve("sa.key"), Pem.encode(serviceAccounts.getPrivate()));
            Path encryption = directory.resolve("encryption.keys");
            SecretEncryption.generateKeyFile(encryption, "key1");
            EtcdProcess etcd = EtcdProcess.start();
            ApiServerConfig config = new ApiServerConfig("127.0.0.1", 0, servingCert, servingKey, caFile, etcd.connection(), encryption,
                    "10.96.0.0/16", 30000, 32767, saPub);
            ApiServer server;
            try {
                server = ApiServer.start(config);
            } catch (RuntimeException e) {
                etcd.close();
                throw e;
            }
            write(directory.resolve("admin.crt"), Pem.encode(admin.certificate()));
            write(directory.resolve("admin.key"), Pem.encode(admin.key()));
            Path kubeconfig = directory.resolve("admin.kubeconfig");
            Kubeconfig.of("slipway-test", server.url().toString(), ca.certificate(), "admin", admin).write(kubeconfig);
            return new ApiServerFixture(directory, etcd, config, server, kubeconfig, ca, caFile, admin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TlsIdentity issue(CertificateAuthority ca, String commonName, List<String> organizations, ExtendedUsage usage,
                                     SubjectAltNames sans, Instant now) {
        KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
        CertificateSpec spec = new CertificateSpec(commonName, commonName, new CertificateSpec.Issuer.SignedBy("ca"), commonName,
                organizations, Set.of(KeyUsage.DIGITAL_SIGNATURE), Set.of(usage), sans, Duration.ofDays(1));
        return new TlsIdentity(pair.getPrivate(), List.of(ca.issue(spec, pair.getPublic(), now)));
    }

    private static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content);
    }

    ApiServer server() {
        return server;
    }

    /** Stops the API server and starts a new one on the same port and etcd, so clients' URLs stay valid. */
    void restartApiServer() {
        int port = server.port();
        server.close();
        server = ApiServer.start(new ApiServerConfig(config.bindAddress(), port, config.servingCertPem(), config.servingKeyPem(),
                config.clientCaPem(), config.etcd(), config.encryptionKeyFile(), config.serviceCidr(), config.nodePortFirst(),
                config.nodePortLast(), config.serviceAccountPublicKey(), config.kubeletClientCertPem(), config.kubeletClientKeyPem()));
    }

    EtcdProcess etcd() {
        return etcd;
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    Path caFile() {
        return caFile;
    }

    Path directory() {
        return directory;
    }

    /** An HTTP client that trusts the cluster CA and presents the admin certificate. */
    HttpClient adminHttpClient() {
        return HttpClient.newBuilder().sslContext(admin.sslContext(TrustedCertificates.load(caFile)))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The newest etcd revision: it moves with every write, so an unchanged revision proves nothing was stored. */
    long etcdRevision() {
        String json = etcd.etcdctl("get", "/registry/", "--prefix", "--keys-only", "--limit=1", "-w", "json");
        Matcher matcher = Pattern.compile("\"revision\":(\\d+)").matcher(json);
        if (!matcher.find()) {
            throw new AssertionError("no revision in etcdctl output: " + json);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** GET {@code path} with a bearer token and no client certificate. */
    HttpResponse<String> getWithToken(String token, String path) {
        HttpClient client = HttpClient.newBuilder().sslContext(TrustedCertificates.load(caFile).sslContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            return client.send(HttpRequest.newBuilder(server.url().resolve(path)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A kubeconfig for another user of the cluster CA. */
    Path kubeconfigFor(String user, List<String> groups) {
        TlsIdentity identity = issue(ca, user, groups, ExtendedUsage.CLIENT_AUTH, SubjectAltNames.NONE, Instant.now());
        Path file = directory.resolve(user + ".kubeconfig");
        Kubeconfig.of("slipway-test", server.url().toString(), ca.certificate(), user, identity).write(file);
        return file;
    }

    /** Runs the real kubectl against the server, with stdin when given. */
    Run kubectlWithInput(String stdin, String... arguments) {
        return kubectlWithInput(Path.of("kubectl"), stdin, arguments);
    }

    /** Runs the given kubectl binary (another version than the one on the PATH) against the server. */
    Run kubectlWithInput(Path binary, String stdin, String... arguments) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", directory.resolve("kubectl-cache").toString()));
        command.addAll(List.of(arguments));
        try {
            Path out = Files.createTempFile(directory, "out", ".txt");
            Path err = Files.createTempFile(directory, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("HOME", directory.toString());
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(KUBECTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", arguments) + " did not finish in " + KUBECTL_TIMEOUT);
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    Run kubectl(String... arguments) {
        return kubectlWithInput(null, arguments);
    }

    /** Starts kubectl without waiting, e.g. for {@code get -w}; output goes to {@code out}. */
    Process kubectlInBackground(Path out, String... arguments) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", directory.resolve("kubectl-cache").toString()));
        command.addAll(List.of(arguments));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(false)
                    .redirectError(directory.resolve("background.err").toFile());
            builder.environment().put("HOME", directory.toString());
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
