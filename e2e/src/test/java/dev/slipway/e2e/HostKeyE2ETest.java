package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.transport.SshTransport;
import dev.slipway.provisioner.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A host whose SSH host key changed is refused under the strict policy, and nothing runs on it. */
class HostKeyE2ETest {

    @RegisterExtension
    static final Testbed testbed = new Testbed();

    private static final String HOST = "master-2";
    private static final String MARKER = "/var/lib/slipway/e2e-host-key-marker";

    @BeforeEach
    void giveTheHostANewKey() {
        testbed.rekey(HOST);
    }

    @AfterEach
    void restoreTheHostsKey() {
        testbed.restoreHostKey(HOST);
        testbed.exec(HOST, "rm -f " + MARKER);
    }

    @Test
    void preflightRefusesTheHostNamingItAndBothFingerprints() {
        // Given known_hosts holds master-2's old key while its sshd presents a new one
        String known = testbed.knownFingerprint(HOST);
        String presented = testbed.presentedFingerprint(HOST);
        assertThat(presented).isNotEqualTo(known);

        // When
        CommandOutput preflight = testbed.slipway("preflight", "-i", testbed.inventory().toString());

        // Then
        assertThat(preflight.exitCode()).as(preflight.toString()).isNotZero();
        assertThat(preflight.allOutput()).as(preflight.toString()).contains(HOST, known, presented);
    }

    @Test
    void sshTransportRunsNoCommandOnTheHost() {
        // Given
        long loginsBefore = testbed.acceptedLogins(HOST);

        // When
        assertThatThrownBy(() -> {
            try (SshTransport transport = SshTransport.connect(testbed.endpoint(HOST))) {
                transport.run("touch " + MARKER);
            }
        })
        // Then
                .isInstanceOfSatisfying(TransportException.HostKeyRejected.class, rejected -> {
                    assertThat(rejected.host()).isEqualTo(HOST);
                    assertThat(rejected.keyChanged()).isTrue();
                    assertThat(rejected.presentedFingerprint()).isEqualTo(testbed.presentedFingerprint(HOST));
                    assertThat(rejected.knownFingerprints()).containsExactly(testbed.knownFingerprint(HOST));
                    assertThat(rejected.getMessage())
                            .contains(HOST, testbed.knownFingerprint(HOST), testbed.presentedFingerprint(HOST));
                });
        assertThat(testbed.exec(HOST, "test -e " + MARKER).exitCode()).as("marker file exists").isEqualTo(1);
        assertThat(testbed.acceptedLogins(HOST)).as("logins accepted by sshd").isEqualTo(loginsBefore);
    }
}
