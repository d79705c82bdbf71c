package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshTransportConnectTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(700);

    @TempDir
    Path dir;

    @Test
    void aHostThatAcceptsButNeverSpeaksSshFailsWithinTheConnectTimeoutPerAttempt() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            HostEndpoint endpoint = endpoint("etcd-1", silent.port());
            long start = System.nanoTime();

            assertThatThrownBy(() -> SshTransport.connect(endpoint))
                    .isInstanceOfSatisfying(TransportException.ConnectFailed.class, e -> {
                        assertThat(e.host()).isEqualTo("etcd-1");
                        assertThat(e.attempts()).isEqualTo(SshTransport.CONNECT_ATTEMPTS);
                        assertThat(e.getMessage()).contains("etcd-1", "127.0.0.1:" + silent.port(), "no SSH answer");
                    });

            // A bound, not a speed: the whole connect never runs past timeout × attempts (plus slack for a slow machine).
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertThat(elapsed).isLessThan(CONNECT_TIMEOUT.multipliedBy(SshTransport.CONNECT_ATTEMPTS).plusSeconds(3));
            assertThat(silent.connections()).hasSize(SshTransport.CONNECT_ATTEMPTS);
        }
    }

    @Test
    void aClosedPortFailsWithoutWaitingForTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        HostEndpoint endpoint = new HostEndpoint("worker-3", "127.0.0.1", closedPort, "root", key(), dir.resolve("known_hosts"),
                HostKeyPolicy.STRICT, Duration.ofSeconds(30));
        long start = System.nanoTime();

        assertThatThrownBy(() -> SshTransport.connect(endpoint))
                .isInstanceOf(TransportException.ConnectFailed.class)
                .hasMessageContaining("worker-3").hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("connection refused");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aKeyTheHostDoesNotAcceptIsReportedOnceWithoutRetrying() throws Exception {
        try (TestSshServer server = TestSshServer.start(Files.createDirectories(dir.resolve("server")))) {
            server.trustCurrentHostKeys();
            HostEndpoint endpoint = server.endpoint("master-1", HostKeyPolicy.STRICT);
            HostEndpoint stranger = new HostEndpoint(endpoint.name(), endpoint.address(), endpoint.port(), "root", key(),
                    endpoint.knownHostsFile(), endpoint.hostKeyPolicy(), endpoint.connectTimeout());

            assertThatThrownBy(() -> SshTransport.connect(stranger))
                    .isInstanceOfSatisfying(TransportException.ConnectFailed.class, e -> {
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e.getMessage()).contains("master-1", "refused with the key " + stranger.identityFile());
                    });
            assertThat(server.sessionsOpened()).isEqualTo(1);
        }
    }

    @Test
    void anUnreadableIdentityFileIsReportedBeforeAnyConnection() {
        HostEndpoint endpoint = new HostEndpoint("master-1", "127.0.0.1", 22, "root", dir.resolve("missing_key"),
                dir.resolve("known_hosts"), HostKeyPolicy.STRICT, CONNECT_TIMEOUT);

        assertThatThrownBy(() -> SshTransport.connect(endpoint))
                .isInstanceOf(TransportException.ConnectFailed.class)
                .hasMessageContaining("master-1").hasMessageContaining("cannot load identity file " + dir.resolve("missing_key"));
    }

    private HostEndpoint endpoint(String name, int port) throws Exception {
        return new HostEndpoint(name, "127.0.0.1", port, "root", key(), dir.resolve("known_hosts"), HostKeyPolicy.STRICT,
                CONNECT_TIMEOUT);
    }

    /** A fresh ed25519 key that no server knows. */
    private Path key() throws Exception {
        Path key = dir.resolve("id_stranger");
        if (!Files.exists(key)) {
            Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                    .redirectErrorStream(true).start();
            keygen.getInputStream().readAllBytes();
            assertThat(keygen.waitFor()).isZero();
        }
        return key;
    }

    /** Accepts TCP connections on loopback and never says a word. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor = Thread.ofVirtual().start(this::acceptForever);

        SilentServer() throws IOException {
        }

        int port() {
            return socket.getLocalPort();
        }

        List<Socket> connections() {
            return accepted;
        }

        private void acceptForever() {
            try {
                while (!socket.isClosed()) {
                    accepted.add(socket.accept());
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : accepted) {
                connection.close();
            }
            acceptor.interrupt();
        }
    }
}
