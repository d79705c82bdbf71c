package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostCommandLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"echo plain", "echo 'single' \"double\" `echo back` $HOME", "printf '%s\\n' \"it's\" '$x'",
            "echo a; echo b && echo c | tr a-z A-Z", "printf '%s\\n' 'back\\slash' \"tab\\there\""})
    void aWrappedCommandDoesWhatTheCommandDoes(String command) throws Exception {
        String direct = sh(command);

        String wrapped = sh(HostCommandLine.wrap(command, false));

        assertThat(wrapped).isEqualTo(direct);
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo plain", "printf '%s|' \"$0\" \"it's\" '$x'", "echo a; exit 3", "cat /nonexistent"})
    void aCommandWrappedWithAHostTimerDoesWhatTheCommandDoes(String command) throws Exception {
        String direct = sh(command);

        String wrapped = sh(HostCommandLine.wrap(command, false, Duration.ofMinutes(1)));

        assertThat(wrapped).isEqualTo(direct);
    }

    @Test
    void theHostTimerEndsACommandTheCallerGaveUpOn() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", HostCommandLine.wrap("sleep 60", false, Duration.ofMillis(1))).start();

        // The host timer fires at 1 s + 5 s of grace; the bound here only keeps a broken timer from hanging the build.
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(124);
    }

    @Test
    void aUserOtherThanRootGoesThroughSudoWithoutPrompt() {
        assertThat(HostCommandLine.wrap("id -u", true))
                .isEqualTo("sudo -n sh -c 'SLIPWAY_ROOT=; export SLIPWAY_ROOT\nid -u'");
    }

    @Test
    void rootNeedsNoSudo() {
        assertThat(HostCommandLine.wrap("id -u", false)).startsWith("sh -c ");
    }

    private static String sh(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
