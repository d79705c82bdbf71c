package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact cache against a real HTTP server on 127.0.0.1. */
class ArtifactCacheTest {
  static final byte[] CONTENT = "\u007fELF pretend etcd".getBytes(StandardCharsets.ISO_8859_1);

  @TempDir
  Path temp;

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/etcd", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(200, CONTENT.length);
      try (var body = exchange.getResponseBody()) {
        body.write(CONTENT);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aDownloadIsCachedByItsSha256AndTheSecondFetchMakesNoRequest() throws IOException {
    // Given
    var cache = new ArtifactCache(temp.resolve("sha256"), progress::add);

    // When
    var first = cache.fetch(url("/etcd"), sha256(CONTENT));
    var second = cache.fetch(url("/etcd"), sha256(CONTENT));

    // Then
    assertThat(first).isEqualTo(temp.resolve("sha256").resolve(sha256(CONTENT))).isEqualTo(second);
    assertThat(first).hasBinaryContent(CONTENT);
    assertThat(requests).hasValue(1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("sha256")))).isEqualTo("rwx------");
    assertThat(progress).anyMatch(line -> line.startsWith("downloading " + url("/etcd")));
  }

  @Test
  void aWrongSha256IsRefusedAndNothingIsLeftInTheCache() throws IOException {
    // Given
    var cache = new ArtifactCache(temp.resolve("sha256"), progress::add);
    var expected = "ab".repeat(32);

    // When / Then
    assertThatThrownBy(() -> cache.fetch(url("/etcd"), expected))
        .hasMessage("download from " + url("/etcd") + " has the wrong sha256: expected " + expected
            + ", actual " + sha256(CONTENT) + "; nothing was cached");
    try (var files = Files.list(temp.resolve("sha256"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aCachedFileThatNoLongerMatchesIsDownloadedAgain() throws IOException {
    // Given: a cached file whose content was changed after it was cached
    var folder = Files.createDirectories(temp.resolve("sha256"));
    Files.writeString(folder.resolve(sha256(CONTENT)), "corrupted");
    var cache = new ArtifactCache(folder, progress::add);

    // When
    var file = cache.fetch(url("/etcd"), sha256(CONTENT));

    // Then
    assertThat(file).hasBinaryContent(CONTENT);
    assertThat(requests).hasValue(1);
  }

  @Test
  void anUnreachableUrlIsAnErrorNamingTheUrl() {
    // Given: a port on which nothing listens any more
    int port = server.getAddress().getPort();
    server.stop(0);
    var unreachable = URI.create("http://127.0.0.1:" + port + "/etcd");
    var cache = new ArtifactCache(temp.resolve("sha256"), progress::add);

    // When / Then
    assertThatThrownBy(() -> cache.fetch(unreachable, sha256(CONTENT)))
        .hasMessageStartingWith("cannot download " + unreachable + ": cannot connect");
    assertThat(temp.resolve("sha256")).isEmptyDirectory();
  }

  @Test
  void anHttpErrorStatusIsAnErrorNamingTheUrlAndStatus() {
    // Given
    var cache = new ArtifactCache(temp.resolve("sha256"), progress::add);

    // When / Then
    assertThatThrownBy(() -> cache.fetch(url("/missing"), sha256(CONTENT)))
        .hasMessage("cannot download " + url("/missing") + ": HTTP 404");
    assertThat(temp.resolve("sha256")).isEmptyDirectory();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
