package dev.slipway.provisioner.up;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Downloads kept by their sha256 in {@code ~/.slipway/cache/artifacts/sha256/<hex>}: a cached file
 * is reused while its digest matches; a download is verified before it takes its name, so the cache
 * never holds a file whose name lies about its content.
 */
public final class ArtifactCache {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);
  private static final long PROGRESS_STEP = 16L << 20;

  private final Path folder;
  private final Consumer<String> progress;
  private final HttpClient http;

  ArtifactCache(Path folder, Consumer<String> progress) {
    this.folder = folder;
    this.progress = progress;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build(); // release downloads usually redirect
  }

  /** The cache of this user; progress lines go to {@code progress}. */
  public static ArtifactCache inUserHome(Consumer<String> progress) {
    return new ArtifactCache(Path.of(System.getProperty("user.home"), ".slipway", "cache", "artifacts", "sha256"), progress);
  }

  /** The cached file whose content has this sha256 (lower-case hex), downloaded from {@code url} if need be. */
  public Path fetch(URI url, String sha256) {
    try {
      var target = folder().resolve(sha256);
      if (Files.isRegularFile(target)) {
        var actual = sha256(target);
        if (actual.equals(sha256)) {
          return target;
        }
        progress.accept("cached " + target + " has sha256 " + actual + ", not " + sha256 + "; downloading it again");
      }
      return download(url, sha256, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the artifact cache " + folder + " for " + url + ": " + e.getMessage(), e);
    }
  }

  private Path folder() throws IOException {
    Files.createDirectories(folder);
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    return folder;
  }

  private Path download(URI url, String sha256, Path target) throws IOException {
    var temp = Files.createTempFile(folder, sha256 + ".", ".part");
    try {
      progress.accept("downloading " + url);
      var response = send(url, temp);
      if (response.statusCode() != 200) {
        throw new IllegalStateException("cannot download " + url + ": HTTP " + response.statusCode());
      }
      var actual = sha256(temp);
      if (!actual.equals(sha256)) {
        throw new IllegalStateException("download from " + url + " has the wrong sha256: expected " + sha256
            + ", actual " + actual + "; nothing was cached");
      }
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      progress.accept("downloaded " + url + ": " + Files.size(target) + " bytes, sha256 verified, cached as " + target);
      return target;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private HttpResponse<Path> send(URI url, Path temp) {
    var request = HttpRequest.newBuilder(url).timeout(HEADERS_TIMEOUT).GET().build();
    var future = http.sendAsync(request, info -> new Counted(HttpResponse.BodySubscribers.ofFile(temp),
        info.headers().firstValueAsLong("Content-Length").orElse(-1), url));
    try {
      return future.get(DOWNLOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("cannot download " + url + ": not finished within " + DOWNLOAD_TIMEOUT.toMinutes() + " minutes");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while downloading " + url);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot download " + url + ": " + reason(e.getCause()), e.getCause());
    }
  }

  private static String reason(Throwable cause) {
    return switch (cause) {
      case ConnectException c -> "cannot connect" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")");
      case HttpTimeoutException t -> "no answer within " + HEADERS_TIMEOUT.toSeconds() + "s (" + t.getMessage() + ")";
      default -> cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    };
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      var digest = MessageDigest.getInstance("SHA-256");
      var buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** Passes the body on to the file and prints a progress line every 16 MiB. */
  private final class Counted implements HttpResponse.BodySubscriber<Path> {
    private final HttpResponse.BodySubscriber<Path> file;
    private final long length;
    private final URI url;
    private long received;
    private long reported;

    Counted(HttpResponse.BodySubscriber<Path> file, long length, URI url) {
      this.file = file;
      this.length = length;
      this.url = url;
    }

    @Override
    public CompletionStage<Path> getBody() {
      return file.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      file.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      received += buffers.stream().mapToLong(ByteBuffer::remaining).sum();
      if (received - reported >= PROGRESS_STEP) {
        reported = received;
        progress.accept("downloading " + url + ": " + (received >> 20) + " MiB" + (length > 0 ? " of " + (length >> 20) + " MiB" : ""));
      }
      file.onNext(buffers);
    }

    @Override
    public void onError(Throwable throwable) {
      file.onError(throwable);
    }

    @Override
    public void onComplete() {
      file.onComplete();
    }
  }
}
