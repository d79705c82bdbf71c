package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code slipway preflight} against the five testbed hosts over real OpenSSH. */
class PreflightE2ETest {

    @RegisterExtension
    static final Testbed testbed = new Testbed();

    @Test
    void preflightPrintsOnePassingRowPerHostAndExitsZero() {
        // Given the five hosts of testbed/up 5, each with only its sshd running

        // When
        CommandOutput preflight = testbed.slipway("preflight", "-i", testbed.inventory().toString());

        // Then
        assertThat(preflight.exitCode()).as(preflight.toString()).isZero();
        Testbed.HOSTS.forEach((host, address) -> assertThat(preflight.stdout().lines()
                .filter(line -> line.startsWith(host + " ") && line.contains(" " + address + " ")))
                .as("the table row of %s in\n%s", host, preflight)
                .singleElement()
                .satisfies(row -> assertThat(row).contains("OK").doesNotContain("FAIL")));
        assertThat(preflight.stdout()).as(preflight.toString()).doesNotContain("FAIL");
    }
}
