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
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SshTransportFileTest {

    @TempDir
    Path dir;
    private TestSshServer server;
    private SshTransport transport;
    /** The "host" shares this machine's file system, under a folder of the test. */
    private Path hostDir;

    @BeforeEach
    void connect() throws Exception {
        server = TestSshServer.start(dir);
        server.trustCurrentHostKeys();
        transport = SshTransport.connect(server.endpoint("worker-1", HostKeyPolicy.STRICT));
        hostDir = Files.createDirectory(dir.resolve("host"));
    }

    @AfterEach
    void disconnect() throws Exception {
        transport.close();
        server.close();
    }

    @Test
    void aLargeStreamArrivesWholeWithTheSameDigest() throws Exception {
        long size = 200L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        String destination = hostDir.resolve("opt/slipway/bundle.tar").toString();

        transport.upload(new GeneratedStream(size, sent), destination, FileAttributes.publicFile());

        String onHost = transport.run("sha256sum " + destination).orThrow().stdout().split(" ")[0];
        assertThat(onHost).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        assertThat(transport.run("stat -c %s " + destination).stdout().strip()).isEqualTo(Long.toString(size));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0600", "0644", "0755", "640"})
    void theFileGetsTheRequestedMode(String mode) {
        String destination = hostDir.resolve("etc/slipway/file").toString();

        transport.upload(new ByteArrayInputStream("data".getBytes(StandardCharsets.UTF_8)), destination, FileAttributes.mode(mode));

        assertThat(transport.run("stat -c %a " + destination).stdout().strip()).isEqualTo(Integer.toOctalString(Integer.parseInt(mode, 8)));
        assertThat(transport.run("stat -c %U:%G " + destination).stdout().strip()).isEqualTo("root:root");
    }

    @Test
    void aStreamThatBreaksHalfWayLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path destination = hostDir.resolve("etc/slipway/admin.conf");
        Files.createDirectories(destination.getParent());
        Files.writeString(destination, "old contents");
        InputStream breaking = new GeneratedStream(4L * 1024 * 1024, null) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (produced() >= 1024 * 1024) {
                    throw new IOException("disk read error");
                }
                return super.read(buffer, offset, length);
            }
        };

        assertThatThrownBy(() -> transport.upload(breaking, destination.toString(), FileAttributes.secretFile()))
                .isInstanceOfSatisfying(TransportException.TransferFailed.class, e -> {
                    assertThat(e.host()).isEqualTo("worker-1");
                    assertThat(e.remotePath()).isEqualTo(destination.toString());
                    assertThat(e.getMessage()).contains("disk read error");
                });

        assertThat(destination).hasContent("old contents");
        try (var entries = Files.list(destination.getParent())) {
            assertThat(entries).containsExactly(destination);
        }
    }

    @Test
    void aFileDownloadedIsTheFileUploaded() {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        String path = hostDir.resolve("var/lib/slipway/blob").toString();
        transport.upload(new ByteArrayInputStream(content), path, FileAttributes.publicFile());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();

        transport.download(path, sink);

        assertThat(sink.toByteArray()).isEqualTo(content);
    }

    @Test
    void anUploadFromALocalFileReplacesTheDestination() throws Exception {
        Path source = Files.writeString(dir.resolve("ca.crt"), "new certificate");
        Path destination = Files.writeString(hostDir.resolve("ca.crt"), "old certificate");

        transport.upload(source, destination.toString(), FileAttributes.publicFile());

        assertThat(destination).hasContent("new certificate");
    }

    @Test
    void downloadingAMissingFileNamesHostAndPath() {
        String missing = hostDir.resolve("nope").toString();

        assertThatThrownBy(() -> transport.download(missing, new ByteArrayOutputStream()))
                .isInstanceOf(TransportException.TransferFailed.class)
                .hasMessageContaining("worker-1").hasMessageContaining(missing).hasMessageContaining("No such file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/path", "/etc/../etc/passwd", "/etc/slipway/", "/a\nb"})
    void pathsThatAreNotPlainAbsoluteFilesAreRefused(String path) {
        assertThatThrownBy(() -> transport.upload(new ByteArrayInputStream(new byte[0]), path, FileAttributes.publicFile()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("worker-1");
        assertThat(server.commandsRun()).isEmpty();
    }

    /** Pseudo-random bytes made on the fly, so a large upload never sits in memory. */
    static class GeneratedStream extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private final Random random = new Random(42);
        private long produced;

        GeneratedStream(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
        }

        long produced() {
            return produced;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (produced >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - produced);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, buffer, offset, n);
            if (digest != null) {
                digest.update(chunk);
            }
            produced += n;
            return n;
        }
    }
}
