package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.transport.HostEndpoint;
import dev.slipway.provisioner.transport.SshTransport;
import dev.slipway.provisioner.transport.TransportException;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The testbed itself, driven from inside the lab as every e2e test drives it: hosts are separate
 * machines, power and link behave like the real things, and the lab leads nowhere else.
 */
class TestbedE2ETest {

    @RegisterExtension
    static final Testbed testbed = new Testbed();

    private static final String HOST = "worker-2";

    @AfterEach
    void putTheHostBack() {
        testbed.link(HOST, Testbed.Link.UP);
        testbed.power(HOST, Testbed.Power.ON);
        testbed.exec(HOST, "rm -f /var/lib/slipway/e2e-disk-marker /tmp/e2e-tmp-marker");
    }

    static List<String> hosts() {
        return List.copyOf(Testbed.HOSTS.keySet());
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void execRunsOnTheNamedHostWithItsOwnAddress(String host) {
        CommandOutput output = testbed.exec(host, "hostname; ip -4 -o addr show dev eth0 | awk '{print $4}'");

        assertThat(output.exitCode()).as(output.toString()).isZero();
        assertThat(output.stdout()).isEqualTo(host + "\n" + testbed.address(host) + "/24\n");
    }

    @Test
    void eachHostHasItsOwnSlipwayFolders() {
        testbed.exec("master-1", "echo one > /etc/slipway/e2e-own");

        CommandOutput elsewhere = testbed.exec("master-3", "cat /etc/slipway/e2e-own");

        assertThat(elsewhere.exitCode()).as(elsewhere.toString()).isNotZero();
        testbed.exec("master-1", "rm -f /etc/slipway/e2e-own");
    }

    @Test
    void eachHostSeesOnlyItsOwnProcesses() {
        testbed.exec("master-1", "sleep 1001 >/dev/null 2>&1 &");

        CommandOutput elsewhere = testbed.exec("master-3", "ps -e -o args= | grep -c '^sleep 1001$'");
        CommandOutput there = testbed.exec("master-1", "ps -e -o args= | grep -c '^sleep 1001$'; pkill -f '^sleep 1001$'");

        assertThat(elsewhere.stdout()).isEqualTo("0\n");
        assertThat(there.stdout()).isEqualTo("1\n");
    }

    @Test
    void execPassesTheCommandsExitCodeAndOutputStreams() {
        CommandOutput output = testbed.exec(HOST, "echo out; echo err >&2; exit 3");

        assertThat(output.exitCode()).isEqualTo(3);
        assertThat(output.stdout()).isEqualTo("out\n");
        assertThat(output.stderr()).isEqualTo("err\n");
    }

    @Test
    void theLabHasNoRouteOutOfIt() {
        CommandOutput route = Subprocess.run(List.of("ip", "route", "get", "1.1.1.1"), testbed.home(), Duration.ofSeconds(30));

        assertThat(route.exitCode()).as(route.toString()).isNotZero();
        assertThat(route.stderr()).contains("unreachable");
    }

    @Test
    void aPoweredOffHostIsUnreachableAndComesBackWithItsDiskButNotItsTmp() {
        // Given
        testbed.exec(HOST, "echo kept > /var/lib/slipway/e2e-disk-marker; echo lost > /tmp/e2e-tmp-marker; sleep 1000 >/dev/null 2>&1 &");

        // When
        testbed.power(HOST, Testbed.Power.OFF);

        // Then
        assertThat(testbed.exec(HOST, "true").stderr()).contains("powered off");
        assertThatThrownBy(() -> SshTransport.connect(quickEndpoint(HOST)).close())
                .isInstanceOf(TransportException.ConnectFailed.class).hasMessageContaining(HOST);

        // When
        testbed.power(HOST, Testbed.Power.ON);

        // Then
        CommandOutput after = testbed.exec(HOST, "cat /var/lib/slipway/e2e-disk-marker; ls /tmp; ps -e -o args= | grep -c '^sleep 1000$' || true");
        assertThat(after.stdout()).isEqualTo("kept\n0\n");
        try (SshTransport transport = SshTransport.connect(quickEndpoint(HOST))) {
            assertThat(transport.run("hostname").orThrow().stdout()).isEqualTo(HOST + "\n");
        }
    }

    @Test
    void aHostWithItsLinkDownKeepsRunningButNobodyReachesIt() {
        // When
        testbed.link(HOST, Testbed.Link.DOWN);

        // Then
        assertThatThrownBy(() -> SshTransport.connect(quickEndpoint(HOST)).close())
                .isInstanceOf(TransportException.ConnectFailed.class).hasMessageContaining(HOST);
        assertThat(testbed.exec(HOST, "echo alive").stdout()).isEqualTo("alive\n");

        // When
        testbed.link(HOST, Testbed.Link.UP);

        // Then
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (SshTransport transport = SshTransport.connect(quickEndpoint(HOST))) {
                assertThat(transport.run("echo back").orThrow().stdout()).isEqualTo("back\n");
            }
        });
    }

    private static HostEndpoint quickEndpoint(String host) {
        HostEndpoint endpoint = testbed.endpoint(host);
        return new HostEndpoint(host, endpoint.address(), endpoint.port(), endpoint.user(), endpoint.identityFile(),
                endpoint.knownHostsFile(), endpoint.hostKeyPolicy(), Duration.ofSeconds(1));
    }
}
