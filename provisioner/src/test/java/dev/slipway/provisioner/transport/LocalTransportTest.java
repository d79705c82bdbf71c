package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocalTransportTest {

    @TempDir
    Path root;
    private LocalTransport host;

    @BeforeEach
    void host() {
        host = new LocalTransport("local-1", root);
    }

    @Test
    void commandsSeeTheHostFolderAsSlipwayRoot() {
        CommandResult result = host.run("mkdir -p \"$SLIPWAY_ROOT/etc/slipway\" && echo hi > \"$SLIPWAY_ROOT/etc/slipway/x\" && echo $SLIPWAY_ROOT");

        assertThat(result.stdout().strip()).isEqualTo(root.toAbsolutePath().toString());
        assertThat(root.resolve("etc/slipway/x")).hasContent("hi");
    }

    @ParameterizedTest
    @CsvSource({"true, 0", "exit 7, 7", "kill -TERM $$, 143"})
    void exitCodeOfTheCommandIsTheResult(String command, int expected) {
        assertThat(host.run(command).exitCode()).isEqualTo(expected);
    }

    @Test
    void stdoutAndStderrAreKeptApartAndHandedOverLineByLine() {
        List<String> outLines = new CopyOnWriteArrayList<>();
        List<String> errLines = new CopyOnWriteArrayList<>();

        CommandResult result = host.run("echo a; echo b >&2; echo c",
                RunOptions.defaults().withStdoutLines(outLines::add).withStderrLines(errLines::add));

        assertThat(result.stdout()).isEqualTo("a\nc\n");
        assertThat(result.stderr()).isEqualTo("b\n");
        assertThat(outLines).containsExactly("a", "c");
        assertThat(errLines).containsExactly("b");
    }

    @Test
    void aCommandOverItsTimeoutIsKilledAndReported() {
        assertThatThrownBy(() -> host.run("sleep 60", RunOptions.defaults().withTimeout(Duration.ofMillis(300))))
                .isInstanceOf(TransportException.CommandTimedOut.class)
                .hasMessageContaining("local-1").hasMessageContaining("sleep 60");
    }

    @Test
    void uploadsLandUnderTheRootWithTheirMode() throws Exception {
        host.upload(new ByteArrayInputStream("key".getBytes(StandardCharsets.UTF_8)), "/etc/slipway/pki/ca.key",
                FileAttributes.secretFile());

        Path file = root.resolve("etc/slipway/pki/ca.key");
        assertThat(file).hasContent("key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aStreamThatBreaksHalfWayLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path destination = Files.createDirectories(root.resolve("etc/slipway")).resolve("agent.yaml");
        Files.writeString(destination, "old");
        InputStream breaking = new InputStream() {
            private int left = 100_000;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left <= 0) {
                    throw new IOException("source vanished");
                }
                int n = Math.min(length, left);
                Arrays.fill(buffer, offset, offset + n, (byte) 'x');
                left -= n;
                return n;
            }
        };

        assertThatThrownBy(() -> host.upload(breaking, "/etc/slipway/agent.yaml", FileAttributes.publicFile()))
                .isInstanceOf(TransportException.TransferFailed.class)
                .hasMessageContaining("local-1").hasMessageContaining("source vanished");

        assertThat(destination).hasContent("old");
        try (var entries = Files.list(destination.getParent())) {
            assertThat(entries).containsExactly(destination);
        }
    }

    @Test
    void aFileDownloadedIsTheFileUploaded() {
        host.upload(new ByteArrayInputStream("payload".getBytes(StandardCharsets.UTF_8)), "/var/lib/slipway/p",
                FileAttributes.publicFile());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();

        host.download("/var/lib/slipway/p", sink);

        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("payload");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../outside", "/etc/../../outside", "etc/relative"})
    void pathsOutsideTheHostFolderAreRefused(String path) {
        assertThatThrownBy(() -> host.upload(new ByteArrayInputStream(new byte[0]), path, FileAttributes.publicFile()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local-1");
        assertThat(root.getParent().resolve("outside")).doesNotExist();
    }

    @ParameterizedTest
    @CsvSource({"0644, rw-r--r--", "0600, rw-------", "755, rwxr-xr-x", "4750, rwxr-x---"})
    void modesMapToPermissionBits(String mode, String expected) {
        assertThat(PosixFilePermissions.toString(LocalTransport.permissions(mode))).isEqualTo(expected);
    }
}
