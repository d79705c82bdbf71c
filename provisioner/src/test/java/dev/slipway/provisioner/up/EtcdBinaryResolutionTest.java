package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.provisioner.inventory.EtcdSpec;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.InventoryReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.etcd.binary, else etcd on PATH, else spec.etcd.download through the artifact cache. */
class EtcdBinaryResolutionTest {
  static final byte[] ELF = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  static final byte[] GZIP = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0};

  @TempDir
  Path temp;

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private ArtifactCache cache;
  private Path onPath;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    for (var entry : java.util.Map.of("/etcd", ELF, "/etcd.tar.gz", GZIP).entrySet()) {
      server.createContext(entry.getKey(), exchange -> {
        requests.incrementAndGet();
        exchange.sendResponseHeaders(200, entry.getValue().length);
        try (var body = exchange.getResponseBody()) {
          body.write(entry.getValue());
        }
      });
    }
    server.start();
    cache = new ArtifactCache(temp.resolve("cache"), line -> {});
    onPath = Files.write(temp.resolve("etcd-on-path"), ELF);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void theInventoryBinaryWinsOverPath() throws IOException {
    // Given
    var binary = Files.write(temp.resolve("etcd-from-inventory"), ELF);
    var inventory = inventory("binary: " + binary);

    // When
    var etcd = NodeBundle.etcdBinary(inventory, () -> Optional.of(onPath), cache);

    // Then
    assertThat(etcd).isEqualTo(binary);
  }

  @Test
  void etcdOnPathWinsOverTheDownload() throws IOException {
    // Given
    var inventory = inventory(download("/etcd", ELF));

    // When
    var etcd = NodeBundle.etcdBinary(inventory, () -> Optional.of(onPath), cache);

    // Then
    assertThat(etcd).isEqualTo(onPath);
    assertThat(requests).hasValue(0);
  }

  @Test
  void theDownloadIsUsedWhenPathHasNoEtcd() throws IOException {
    // Given
    var inventory = inventory(download("/etcd", ELF));

    // When
    var etcd = NodeBundle.etcdBinary(inventory, Optional::empty, cache);

    // Then
    assertThat(etcd).isEqualTo(temp.resolve("cache").resolve(ArtifactCacheTest.sha256(ELF))).hasBinaryContent(ELF);
    assertThat(inventory.etcd().binary()).isInstanceOf(EtcdSpec.EtcdBinary.OnPathElseDownload.class);
  }

  @Test
  void aReleaseArchiveIsRefusedSinceOnlyPlainBinariesAreSupported() throws IOException {
    // Given
    var inventory = inventory(download("/etcd.tar.gz", GZIP));

    // When / Then
    assertThatThrownBy(() -> NodeBundle.etcdBinary(inventory, Optional::empty, cache))
        .hasMessageContaining(url("/etcd.tar.gz") + " is a gzip (.tar.gz) archive")
        .hasMessageContaining("archives are not supported");
  }

  @Test
  void withNoBinaryNoPathAndNoDownloadTheErrorSaysWhatToSet() throws IOException {
    // Given
    var inventory = inventory("snapshots: {keep: 3}");

    // When / Then
    assertThatThrownBy(() -> NodeBundle.etcdBinary(inventory, Optional::empty, cache))
        .hasMessageContaining("neither spec.etcd.binary nor spec.etcd.download is set")
        .hasMessageContaining("no etcd on PATH");
  }

  private String download(String path, byte[] content) {
    // upper-case hex is accepted and means the same digest
    return "download: {url: " + url(path) + ", sha256: " + ArtifactCacheTest.sha256(content).toUpperCase() + "}";
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private Inventory inventory(String etcdField) throws IOException {
    var yaml = """
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: etcd-binary
        spec:
          provider: local
          hosts:
            - {name: m1, address: 127.0.30.1, roles: [master, etcd], rootDir: hosts/m1}
          etcd:
            %s
        """.formatted(etcdField);
    return InventoryReader.read(Files.writeString(temp.resolve("cluster.yaml"), yaml)).inventory();
  }
}
