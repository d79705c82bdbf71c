package dev.slipway.controlplane.apiserver;

import dev.slipway.controlplane.testing.ApiCluster;
import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.pki.Kubeconfig;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private final ApiCluster cluster;
    private final TlsIdentity admin;
    private final Path kubeconfig;

    private ApiServerFixture(ApiCluster cluster, TlsIdentity admin, Path kubeconfig) {
        this.cluster = cluster;
        this.admin = admin;
        this.kubeconfig = kubeconfig;
    }

    static ApiServerFixture start() {
        ApiCluster cluster = ApiCluster.start();
        try {
            TlsIdentity admin = TlsIdentity.load(cluster.directory().resolve("admin.crt"), cluster.directory().resolve("admin.key"));
            Path kubeconfig = cluster.directory().resolve("admin.kubeconfig");
            Kubeconfig.of("slipway-test", cluster.server().url().toString(), cluster.ca().certificate(), "admin", admin).write(kubeconfig);
            return new ApiServerFixture(cluster, admin, kubeconfig);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    ApiServer server() {
        return cluster.server();
    }

    /** Stops the API server and starts a new one on the same port and etcd, so clients' URLs stay valid. */
    void restartApiServer() {
        cluster.restartApiServer();
    }

    EtcdProcess etcd() {
        return cluster.etcd();
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    Path caFile() {
        return cluster.caFile();
    }

    Path directory() {
        return cluster.directory();
    }

    /** An HTTP client that trusts the cluster CA and presents the admin certificate. */
    HttpClient adminHttpClient() {
        return HttpClient.newBuilder().sslContext(admin.sslContext(TrustedCertificates.load(caFile())))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The newest etcd revision: it moves with every write, so an unchanged revision proves nothing was stored. */
    long etcdRevision() {
        String json = etcd().etcdctl("get", "/registry/", "--prefix", "--keys-only", "--limit=1", "-w", "json");
        Matcher matcher = Pattern.compile("\"revision\":(\\d+)").matcher(json);
        if (!matcher.find()) {
            throw new AssertionError("no revision in etcdctl output: " + json);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** GET {@code path} with a bearer token and no client certificate. */
    HttpResponse<String> getWithToken(String token, String path) {
        HttpClient client = HttpClient.newBuilder().sslContext(TrustedCertificates.load(caFile()).sslContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            return client.send(HttpRequest.newBuilder(server().url().resolve(path)).header("Authorization", "Bearer " + token).GET().build(),
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
        TlsIdentity identity = cluster.issue(user, groups);
        Path file = directory().resolve(user + ".kubeconfig");
        Kubeconfig.of("slipway-test", server().url().toString(), cluster.ca().certificate(), user, identity).write(file);
        return file;
    }

    /** Runs the real kubectl against the server, with stdin when given. */
    Run kubectlWithInput(String stdin, String... arguments) {
        return kubectlWithInput(Path.of("kubectl"), stdin, arguments);
    }

    /** Runs the given kubectl binary (another version than the one on the PATH) against the server. */
    Run kubectlWithInput(Path binary, String stdin, String... arguments) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", directory().resolve("kubectl-cache").toString()));
        command.addAll(List.of(arguments));
        try {
            Path out = Files.createTempFile(directory(), "out", ".txt");
            Path err = Files.createTempFile(directory(), "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("HOME", directory().toString());
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
                "--cache-dir", directory().resolve("kubectl-cache").toString()));
        command.addAll(List.of(arguments));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(false)
                    .redirectError(directory().resolve("background.err").toFile());
            builder.environment().put("HOME", directory().toString());
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        cluster.close();
    }
}
