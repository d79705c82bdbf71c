package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SshTransportHostKeyTest {

    @TempDir
    Path dir;
    private TestSshServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void strictPolicyRefusesAnUnknownHostAndLeavesKnownHostsAlone() throws Exception {
        server = TestSshServer.start(dir);
        Files.writeString(server.knownHosts(), "");
        String fingerprint = KnownHostsCheck.fingerprint(server.hostKeys().getFirst());

        assertThatThrownBy(() -> SshTransport.connect(server.endpoint("master-1", HostKeyPolicy.STRICT)))
                .isInstanceOfSatisfying(TransportException.HostKeyRejected.class, e -> {
                    assertThat(e.keyChanged()).isFalse();
                    assertThat(e.presentedFingerprint()).isEqualTo(fingerprint);
                    assertThat(e.getMessage()).contains("master-1", "127.0.0.1:" + server.port(), fingerprint,
                            "strict", "ssh-keyscan -p " + server.port());
                });
        assertThat(server.knownHosts()).isEmptyFile();
        assertThat(server.commandsRun()).isEmpty();
    }

    @Test
    void aChangedHostKeyIsRefusedWithBothFingerprintsAndNoCommandRuns() throws Exception {
        server = TestSshServer.start(dir);
        server.trustCurrentHostKeys();
        String recorded = KnownHostsCheck.fingerprint(server.hostKeys().getFirst());
        server.replaceHostKeys(List.of(KeyPairProvider.ECDSA_SHA2_NISTP256));
        String presented = KnownHostsCheck.fingerprint(server.hostKeys().getFirst());

        assertThatThrownBy(() -> SshTransport.connect(server.endpoint("master-2", HostKeyPolicy.STRICT)))
                .isInstanceOfSatisfying(TransportException.HostKeyRejected.class, e -> {
                    assertThat(e.keyChanged()).isTrue();
                    assertThat(e.knownFingerprints()).containsExactly(recorded);
                    assertThat(e.presentedFingerprint()).isEqualTo(presented);
                    assertThat(e.getMessage()).contains("master-2", "127.0.0.1", recorded, presented,
                            "ssh-keygen -R '[127.0.0.1]:" + server.port() + "'");
                    assertThat(recorded).startsWith("SHA256:");
                });
        assertThat(server.commandsRun()).isEmpty();
    }

    @Test
    void acceptNewLearnsAnUnknownKeyThenRefusesALaterChange() throws Exception {
        server = TestSshServer.start(dir);
        Files.writeString(server.knownHosts(), "# learned keys\n10.0.0.9 " + server.knownHostsLine(server.hostKeys().getFirst()).split(" ", 2)[1]);
        HostEndpoint endpoint = server.endpoint("worker-2", HostKeyPolicy.ACCEPT_NEW);

        try (SshTransport transport = SshTransport.connect(endpoint)) {
            assertThat(transport.run("echo ok").stdout()).isEqualTo("ok\n");
        }
        assertThat(Files.readAllLines(server.knownHosts()))
                .hasSize(3).endsWith(server.knownHostsLine(server.hostKeys().getFirst()));

        server.replaceHostKeys(List.of(KeyPairProvider.ECDSA_SHA2_NISTP256));
        int commandsBefore = server.commandsRun().size();
        assertThatThrownBy(() -> SshTransport.connect(endpoint))
                .isInstanceOfSatisfying(TransportException.HostKeyRejected.class, e -> assertThat(e.keyChanged()).isTrue());
        assertThat(Files.readAllLines(server.knownHosts())).hasSize(3);
        assertThat(server.commandsRun()).hasSize(commandsBefore);
    }

    @Test
    void hashedKnownHostsEntriesAreRecognised() throws Exception {
        server = TestSshServer.start(dir);
        server.trustCurrentHostKeys();
        Process hash = new ProcessBuilder("ssh-keygen", "-H", "-f", server.knownHosts().toString())
                .redirectErrorStream(true).start();
        hash.getInputStream().readAllBytes();
        assertThat(hash.waitFor()).isZero();
        assertThat(Files.readString(server.knownHosts())).startsWith("|1|").doesNotContain("127.0.0.1");

        try (SshTransport transport = SshTransport.connect(server.endpoint("master-3", HostKeyPolicy.STRICT))) {
            assertThat(transport.run("echo ok").stdout()).isEqualTo("ok\n");
        }
    }

    @Test
    void aHostKnownByOneOfItsKeyTypesIsAskedForThatType() throws Exception {
        server = TestSshServer.start(dir, "ed25519", List.of(KeyPairProvider.ECDSA_SHA2_NISTP256, KeyPairProvider.SSH_RSA));
        // Only the rsa key is on record, as when ssh-keyscan -t rsa filled the file.
        Files.writeString(server.knownHosts(), server.knownHostsLine(server.hostKeys().get(1)) + "\n");

        try (SshTransport transport = SshTransport.connect(server.endpoint("master-1", HostKeyPolicy.STRICT))) {
            assertThat(transport.run("echo ok").stdout()).isEqualTo("ok\n");
        }
    }

    @Test
    void aMissingKnownHostsFileIsCreatedUnderAcceptNew() throws Exception {
        server = TestSshServer.start(dir);
        Path knownHosts = server.knownHosts();
        assertThat(knownHosts).doesNotExist();

        try (SshTransport transport = SshTransport.connect(server.endpoint("master-1", HostKeyPolicy.ACCEPT_NEW))) {
            transport.run("true");
        }

        assertThat(Files.readAllLines(knownHosts)).containsExactly(server.knownHostsLine(server.hostKeys().getFirst()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
    void identityKeysAsSshKeygenWritesThemLogIn(String keyType) throws Exception {
        server = TestSshServer.start(dir, keyType, List.of(KeyPairProvider.ECDSA_SHA2_NISTP256));
        server.trustCurrentHostKeys();
        assertThat(Files.readString(server.clientKey())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");

        try (SshTransport transport = SshTransport.connect(server.endpoint("master-1", HostKeyPolicy.STRICT))) {
            assertThat(transport.run("echo ok").stdout()).isEqualTo("ok\n");
        }
    }
}
