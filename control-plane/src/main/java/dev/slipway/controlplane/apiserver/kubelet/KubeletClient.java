package dev.slipway.controlplane.apiserver.kubelet;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The API server's HTTPS client to kubelets: the {@code apiserver-kubelet-client} certificate,
 * trusting the cluster CA (which signs every kubelet's serving certificate, for its address).
 * Built on first use, so a master without the pair still serves everything else.
 */
final class KubeletClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Path certPem;
    private final Path keyPem;
    private final Path clusterCaPem;
    private HttpClient http;

    KubeletClient(Path certPem, Path keyPem, Path clusterCaPem) {
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.clusterCaPem = clusterCaPem;
    }

    synchronized HttpClient http() {
        if (http == null) {
            if (!Files.isReadable(certPem) || !Files.isReadable(keyPem)) {
                throw ApiError.unavailable("the API server has no kubelet client certificate (" + certPem + ", " + keyPem
                        + "); pods/log and pods/exec need it");
            }
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                    .sslContext(TlsIdentity.load(certPem, keyPem).sslContext(TrustedCertificates.load(clusterCaPem))).build();
        }
        return http;
    }
}
