package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.slipway.provisioner.transport.CommandResult;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.HostEndpoint;
import dev.slipway.provisioner.transport.RunOptions;
import dev.slipway.provisioner.transport.SshTransport;
import dev.slipway.provisioner.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SshTransport} against a testbed host's real OpenSSH sshd. */
class SshTransportE2ETest {

    @RegisterExtension
    static final Testbed testbed = new Testbed();

    private static final String HOST = "worker-1";
    private static final String UPLOAD = "/var/lib/slipway/e2e/upload.bin";

    private SshTransport transport;

    @BeforeEach
    void connect() {
        transport = SshTransport.connect(testbed.endpoint(HOST));
    }

    @AfterEach
    void cleanUp() {
        transport.close();
        testbed.exec(HOST, "rm -rf /var/lib/slipway/e2e");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 42, 255})
    void runReportsTheCommandsExitCode(int exitCode) {
        CommandResult result = transport.run("exit " + exitCode);

        assertThat(result.exitCode()).isEqualTo(exitCode);
        assertThat(result.host()).isEqualTo(HOST);
    }

    @Test
    void runKeepsStandardOutputAndStandardErrorApart() {
        CommandResult result = transport.run("echo to-out; echo to-err >&2; echo more-out");

        assertThat(result.stdout()).isEqualTo("to-out\nmore-out\n");
        assertThat(result.stderr()).isEqualTo("to-err\n");
    }

    @Test
    void runStreamsOutputLinesToTheListeners() {
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();

        transport.run("for i in 1 2 3; do echo line-$i; echo warn-$i >&2; done",
                RunOptions.defaults().withStdoutLines(out::add).withStderrLines(err::add));

        assertThat(out).containsExactly("line-1", "line-2", "line-3");
        assertThat(err).containsExactly("warn-1", "warn-2", "warn-3");
    }

    @Test
    void runsOnTheHostItselfAsRoot() {
        CommandResult result = transport.run("hostname; id -u; echo \"root=[$SLIPWAY_ROOT]\"").orThrow();

        assertThat(result.stdout()).isEqualTo(HOST + "\n0\nroot=[]\n");
    }

    @Test
    void uploadOf200MegabytesArrivesWhole() throws Exception {
        // Given 200 MB made on the fly, hashed as they are sent
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream bytes = new DigestInputStream(new GeneratedBytes(200L * 1024 * 1024, 77), sha256)) {
            // When
            transport.upload(bytes, UPLOAD, FileAttributes.mode("0640"));
        }

        // Then
        String onHost = transport.run("sha256sum " + UPLOAD + " | cut -d' ' -f1; stat -c '%s %a %U:%G' " + UPLOAD)
                .orThrow().stdout();
        assertThat(onHost).isEqualTo(HexFormat.of().formatHex(sha256.digest()) + "\n" + (200L * 1024 * 1024)
                + " 640 root:root\n");
    }

    @Test
    void downloadReturnsTheHostsFile() throws IOException {
        transport.run("mkdir -p /var/lib/slipway/e2e && printf 'line one\\nline two\\n' > /var/lib/slipway/e2e/f").orThrow();
        var sink = new java.io.ByteArrayOutputStream();

        transport.download("/var/lib/slipway/e2e/f", sink);

        assertThat(sink.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("line one\nline two\n");
    }

    @Test
    void aCommandLongerThanItsTimeoutIsStoppedAndTheConnectionStaysUsable() {
        assertThatThrownBy(() -> transport.run("sleep 60", RunOptions.defaults().withTimeout(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(TransportException.CommandTimedOut.class, timedOut -> {
                    assertThat(timedOut.host()).isEqualTo(HOST);
                    assertThat(timedOut.command()).isEqualTo("sleep 60");
                    assertThat(timedOut.getMessage()).contains(HOST, "sleep 60");
                });

        assertThat(transport.run("echo still here").orThrow().stdout()).isEqualTo("still here\n");
    }

    @Test
    void anAddressWhereNobodyAnswersFailsWithinTheConnectTimeoutNamingTheHost() {
        // Given an address in the lab where no machine is
        HostEndpoint ghost = new HostEndpoint("ghost", "10.77.0.99", 22, "root", testbed.testKey(),
                testbed.knownHosts(), testbed.endpoint(HOST).hostKeyPolicy(), Duration.ofSeconds(2));

        // When, bounded by the connect timeout for each of at most 3 attempts plus their backoff
        assertTimeoutPreemptively(Duration.ofSeconds(2 * 3 + 10), () ->
                assertThatThrownBy(() -> SshTransport.connect(ghost).close())
                // Then
                        .isInstanceOfSatisfying(TransportException.ConnectFailed.class, failed -> {
                            assertThat(failed.host()).isEqualTo("ghost");
                            assertThat(failed.address()).isEqualTo("10.77.0.99");
                            assertThat(failed.getMessage()).contains("ghost", "10.77.0.99");
                        }));
    }
}
