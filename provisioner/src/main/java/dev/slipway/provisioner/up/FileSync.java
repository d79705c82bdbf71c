package dev.slipway.provisioner.up;

import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.HostTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Ships files to a host, skipping each one whose sha256 on the host already matches: one command
 * reads every digest, then only the files that differ are uploaded (atomically, by the transport).
 */
public final class FileSync {
  /** Small files cost a round trip each over SSH; a few at once hide the latency. */
  private static final int PARALLEL_UPLOADS = 6;

  /** One file for a host: where it goes, what it holds, its mode. */
  public record ShippedFile(String hostPath, Content content, FileAttributes attributes) {
    public String sha256() {
      return content.sha256();
    }
  }

  /** What a shipped file holds: bytes made here, or a file of this machine. */
  public sealed interface Content {
    String sha256();

    InputStream open() throws IOException;

    record Bytes(byte[] bytes) implements Content {
      @Override
      public String sha256() {
        return hex(digest().digest(bytes));
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    }

    record LocalFile(Path path, String sha256) implements Content {
      public static LocalFile of(Path path) {
        return new LocalFile(path, FileSync.sha256(path));
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(path);
      }
    }
  }

  private FileSync() {}

  /** Uploads what differs, a few files at a time; returns the host paths that were written, in the given order. */
  public static List<String> sync(HostTransport host, List<ShippedFile> files) {
    var present = digestsOnHost(host, files.stream().map(ShippedFile::hostPath).toList());
    var stale = files.stream().filter(f -> !f.sha256().equals(present.get(f.hostPath()))).toList();
    var permits = new Semaphore(PARALLEL_UPLOADS);
    var failures = new ArrayList<RuntimeException>();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      var uploads = stale.stream().map(file -> threads.submit(() -> {
        permits.acquire();
        try (var in = file.content().open()) {
          host.upload(in, file.hostPath(), file.attributes());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read what goes to " + host.hostName() + ":" + file.hostPath(), e);
        } finally {
          permits.release();
        }
        return null;
      })).toList();
      for (var upload : uploads) {
        try {
          upload.get();
        } catch (ExecutionException e) {
          failures.add(e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while shipping files to " + host.hostName(), e);
        }
      }
    }
    if (!failures.isEmpty()) {
      var first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
    return stale.stream().map(ShippedFile::hostPath).toList();
  }

  /** The sha256 of each host path that exists as a regular file on the host. */
  public static Map<String, String> digestsOnHost(HostTransport host, List<String> hostPaths) {
    if (hostPaths.isEmpty()) {
      return Map.of();
    }
    var script = new StringBuilder("for f in");
    hostPaths.forEach(p -> script.append(' ').append(ShellWords.quote(p)));
    script.append("; do if [ -f \"$SLIPWAY_ROOT$f\" ]; then ")
        .append("printf '%s %s\\n' \"$(sha256sum < \"$SLIPWAY_ROOT$f\" | cut -d' ' -f1)\" \"$f\"; fi; done");
    var result = host.run(script.toString()).orThrow();
    var digests = new HashMap<String, String>();
    for (var line : result.stdout().lines().toList()) {
      int space = line.indexOf(' ');
      if (space == 64) {
        digests.put(line.substring(space + 1), line.substring(0, space));
      }
    }
    return digests;
  }

  public static String sha256(Path file) {
    try (var in = new DigestInputStream(Files.newInputStream(file), digest())) {
      in.transferTo(OutputStream.nullOutputStream());
      return hex(in.getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
