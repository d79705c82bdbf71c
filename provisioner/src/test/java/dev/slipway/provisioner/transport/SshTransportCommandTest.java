package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SshTransportCommandTest {

    @TempDir
    Path dir;
    private TestSshServer server;
    private SshTransport transport;

    @BeforeEach
    void connect() throws Exception {
        server = TestSshServer.start(dir);
        server.trustCurrentHostKeys();
        transport = SshTransport.connect(server.endpoint("master-1", HostKeyPolicy.STRICT));
    }

    @AfterEach
    void disconnect() throws Exception {
        transport.close();
        server.close();
    }

    @ParameterizedTest
    @CsvSource({"true, 0", "false, 1", "exit 3, 3", "exit 255, 255", "kill -TERM $$, 143"})
    void exitCodeOfTheCommandIsTheResult(String command, int expected) {
        CommandResult result = transport.run(command);

        assertThat(result.exitCode()).isEqualTo(expected);
        assertThat(result.succeeded()).isEqualTo(expected == 0);
        assertThat(result.host()).isEqualTo("master-1");
    }

    @Test
    void stdoutAndStderrAreKeptApartAndHandedOverLineByLine() {
        List<String> outLines = new CopyOnWriteArrayList<>();
        List<String> errLines = new CopyOnWriteArrayList<>();

        CommandResult result = transport.run("echo out1; echo err1 >&2; echo out2; printf 'no newline' >&2",
                RunOptions.defaults().withStdoutLines(outLines::add).withStderrLines(errLines::add));

        assertThat(result.stdout()).isEqualTo("out1\nout2\n");
        assertThat(result.stderr()).isEqualTo("err1\nno newline");
        assertThat(outLines).containsExactly("out1", "out2");
        assertThat(errLines).containsExactly("err1", "no newline");
    }

    @Test
    void linesArriveWhileTheCommandStillRuns() throws Exception {
        Path flag = dir.resolve("go-on");
        List<String> outLines = new CopyOnWriteArrayList<>();

        CompletableFuture<CommandResult> running = CompletableFuture.supplyAsync(() -> transport.run(
                "echo first; while [ ! -e '" + flag + "' ]; do sleep 0.05; done; echo second",
                RunOptions.defaults().withTimeout(Duration.ofSeconds(30)).withStdoutLines(outLines::add)));

        await().atMost(Duration.ofSeconds(10)).until(() -> outLines.contains("first"));
        assertThat(running).isNotDone();
        Files.createFile(flag);
        assertThat(running.get().stdout()).isEqualTo("first\nsecond\n");
    }

    @Test
    void aCommandOverItsTimeoutIsStoppedAndReported() {
        assertThatThrownBy(() -> transport.run("sleep 60", RunOptions.defaults().withTimeout(Duration.ofMillis(500))))
                .isInstanceOfSatisfying(TransportException.CommandTimedOut.class, e -> {
                    assertThat(e.host()).isEqualTo("master-1");
                    assertThat(e.command()).isEqualTo("sleep 60");
                    assertThat(e.getMessage()).contains("master-1", "sleep 60", "0.5s");
                });
        // The session survives a timed-out command.
        assertThat(transport.run("echo still here").stdout()).isEqualTo("still here\n");
    }

    @Test
    void commandsRunUnderShWithAnEmptySlipwayRootAndQuotesIntact() {
        CommandResult result = transport.run("printf '%s|' \"[$SLIPWAY_ROOT]\" 'it'\"'\"'s' \"$0\"");

        assertThat(result.stdout()).isEqualTo("[]|it's|sh|");
    }

    @Test
    void everyCommandAndTransferSharesOneConnection() {
        for (int i = 0; i < 5; i++) {
            transport.run("true");
        }
        transport.upload(new ByteArrayInputStream("x".getBytes()), dir.resolve("one").toString(), FileAttributes.publicFile());
        transport.download(dir.resolve("one").toString(), OutputStream.nullOutputStream());

        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void commandsFromSeveralThreadsShareTheConnection() throws Exception {
        List<HostOutcome<String>> outcomes = new HostFanout(8, new HostFanout.Listener() { })
                .run(IntStream.range(0, 8).boxed().toList(), i -> "call-" + i,
                        i -> transport.run("echo " + i).orThrow().stdout().strip());

        assertThat(outcomes).extracting(o -> ((HostOutcome.Succeeded<String>) o).value())
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void aDroppedConnectionIsReopenedForTheNextCommand() {
        transport.run("true");
        server.dropConnections();

        CommandResult result = transport.run("echo back");

        assertThat(result.stdout()).isEqualTo("back\n");
        assertThat(server.sessionsOpened()).isEqualTo(2);
    }

    @Test
    void orThrowTurnsAFailureIntoAnErrorNamingHostCommandAndStderr() {
        CommandResult result = transport.run("echo broken >&2; exit 4");

        assertThatThrownBy(result::orThrow)
                .isInstanceOf(TransportException.CommandFailed.class)
                .hasMessageContaining("master-1").hasMessageContaining("exit 4").hasMessageContaining("broken");
    }

    @Test
    void aClosedTransportRefusesFurtherCommands() {
        transport.close();

        assertThatThrownBy(() -> transport.run("true"))
                .isInstanceOf(TransportException.ConnectionLost.class).hasMessageContaining("master-1");
    }
}
