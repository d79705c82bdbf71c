package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS contexts built from the PKI folder: a loopback server with mutual TLS, clients, and chain inspection. */
class TlsTest {

    @TempDir
    Path dir;

    private final CertificateCatalogue catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private Path pki;
    private SSLServerSocket server;

    @BeforeEach
    void givenAnApiServerServingMutualTlsOnLoopback() throws IOException {
        pki = dir.resolve("pki");
        PkiDirectory directory = PkiDirectory.at(pki);
        directory.ensure(catalogue);
        SSLContext context = directory.identity(catalogue.get("apiserver"))
                .sslContext(TrustedCertificates.load(pki.resolve("ca.crt")));
        server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        server.setNeedClientAuth(true);
        executor.submit(this::echoOnce);
    }

    @AfterEach
    void closeServer() throws IOException {
        server.close();
        executor.shutdownNow();
    }

    @Test
    void aClientWithTheAdminCertificateTalksToTheApiServerCheckingItsName() throws IOException {
        SSLContext client = TlsIdentity.load(pki.resolve("admin.crt"), pki.resolve("admin.key"))
                .sslContext(TrustedCertificates.load(pki.resolve("ca.crt")));

        try (SSLSocket socket = connect(client)) {
            socket.getOutputStream().write(42);
            socket.getOutputStream().flush();

            assertThat(socket.getInputStream().read()).isEqualTo(42);
            assertThat(socket.getSession().getPeerCertificates()[0])
                    .isEqualTo(Pem.readCertificate(pki.resolve("apiserver.crt")));
        }
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws IOException {
        Path other = dir.resolve("other");
        PkiDirectory.at(other).ensure(catalogue);
        SSLContext client = TlsIdentity.load(other.resolve("admin.crt"), other.resolve("admin.key"))
                .sslContext(TrustedCertificates.load(pki.resolve("ca.crt")));

        assertThatThrownBy(() -> {
            try (SSLSocket socket = connect(client)) {
                socket.getOutputStream().write(42);
                socket.getOutputStream().flush();
                socket.getInputStream().read();
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheServer() throws IOException {
        Path other = dir.resolve("other");
        PkiDirectory.at(other).ensure(catalogue);
        SSLContext client = TrustedCertificates.load(other.resolve("ca.crt")).sslContext();

        assertThatThrownBy(() -> {
            try (SSLSocket socket = connect(client)) {
                socket.startHandshake();
            }
        }).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theServedChainIsReadEvenWhenTheServerRefusesUs() {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());

        List<X509Certificate> served = ServedCertificates.fetch(address, Duration.ofSeconds(10));

        CertificateRecord fromServer = CertificateRecord.of("apiserver (served)", served.getFirst(), Instant.now());
        CertificateRecord fromFile = PkiDirectory.at(pki).inspect(catalogue).stream()
                .filter(record -> record.name().equals("apiserver")).findFirst().orElseThrow();
        assertThat(fromServer.sha256Fingerprint()).isEqualTo(fromFile.sha256Fingerprint());
        assertThat(fromServer.notAfter()).isEqualTo(fromFile.notAfter());
    }

    @Test
    void fetchingFromAClosedPortSaysWhere() throws IOException, InterruptedException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
        server.close();
        // A virtual thread parked in accept() is only woken by close(): until it has left, the listening
        // descriptor stays open and it could still accept our connection and serve the chain.
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> ServedCertificates.fetch(address, Duration.ofSeconds(5)))
                .isInstanceOf(PkiException.class).hasMessageContaining("127.0.0.1");
    }

    @Test
    void anIdentityWhoseKeyIsNotItsCertificatesIsRefused() {
        assertThatThrownBy(() -> TlsIdentity.load(pki.resolve("admin.crt"), pki.resolve("scheduler.key")))
                .isInstanceOf(PkiException.class).hasMessageContaining("scheduler.key").hasMessageContaining("admin.crt");
    }

    @Test
    void withBouncyCastleRegisteredAnEcIdentityStillBecomesAKeyStoreAndATlsClient() throws Exception {
        // MINA SSHD registers Bouncy Castle, which then reads EC keys as "ECDSA" keys; the certificate's key stays "EC".
        Security.addProvider(new BouncyCastleProvider());
        try {
            TlsIdentity admin = TlsIdentity.load(pki.resolve("admin.crt"), pki.resolve("admin.key"));

            KeyStore store = admin.keyStore();
            assertThat(store.getKey("identity", admin.keyStorePassword()).getEncoded()).isEqualTo(admin.key().getEncoded());
            try (SSLSocket socket = connect(admin.sslContext(TrustedCertificates.load(pki.resolve("ca.crt"))))) {
                socket.getOutputStream().write(42);
                socket.getOutputStream().flush();
                assertThat(socket.getInputStream().read()).isEqualTo(42);
            }
        } finally {
            Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        }
    }

    private SSLSocket connect(SSLContext client) throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the IP SAN 127.0.0.1 must match
        socket.setSSLParameters(parameters);
        return socket;
    }

    private Void echoOnce() throws IOException {
        while (!server.isClosed()) {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int value = in.read();
                if (value >= 0) {
                    out.write(value);
                    out.flush();
                }
            } catch (IOException refusedOrClosed) {
                // a refused handshake ends this connection only
            }
        }
        return null;
    }
}
