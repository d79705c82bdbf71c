package dev.slipway.agent.snapshot;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Takes etcd snapshots into a folder as {@code <cluster>-<UTC time>-r<revision>.db} plus a
 * {@link SnapshotMetadata} sidecar, and prunes the folder to the newest N. Shared by the agent's
 * schedule and the provisioner's {@code snapshot save}.
 */
public final class SnapshotWriter {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(10);

  private final Path dir;
  private final String cluster;
  private final Clock clock;

  public SnapshotWriter(Path dir, String cluster) {
    this(dir, cluster, Clock.systemUTC());
  }

  SnapshotWriter(Path dir, String cluster, Clock clock) {
    this.dir = dir;
    this.cluster = cluster;
    this.clock = clock;
  }

  /** Streams a snapshot from etcd to a temp file, then renames it into place with its sidecar. */
  public SnapshotMetadata save(Client client) {
    try {
      // Snapshots hold every Secret of the cluster: owner-only, like private keys.
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      long revision = await(client.getKVClient().get(ByteSequence.from("health", StandardCharsets.UTF_8)), "read the revision")
          .getHeader().getRevision();
      List<SnapshotMetadata.Member> members = await(client.getClusterClient().listMember(), "list members")
          .getMembers().stream().map(SnapshotWriter::member).toList();
      Instant time = clock.instant();
      String base = cluster + "-" + TIME.format(time) + "-r" + revision;
      Path target = dir.resolve(base + ".db");
      Path temp = dir.resolve("." + base + ".db.partial");
      MessageDigest digest = SnapshotMetadata.digest();
      try {
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
          client.getMaintenanceClient().snapshot(out).get(SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        long size = Files.size(temp);
        if (size == 0) {
          throw new SnapshotException("etcd sent an empty snapshot");
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        SnapshotMetadata metadata = new SnapshotMetadata(target.getFileName().toString(), cluster,
            HexFormat.of().formatHex(digest.digest()), size, revision, time, members);
        metadata.write(SnapshotMetadata.sidecarOf(target));
        return metadata;
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write snapshot into " + dir + ": " + e.getMessage(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new SnapshotException("etcd snapshot for " + cluster + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SnapshotException("etcd snapshot for " + cluster + " was interrupted", e);
    }
  }

  /** This cluster's snapshots in the folder, oldest first. */
  public List<Path> list() {
    Pattern name = Pattern.compile(Pattern.quote(cluster) + "-(\\d{8}T\\d{6}\\.\\d{3}Z)-r\\d+\\.db");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = new ArrayList<>();
      files.forEach(f -> {
        Matcher m = name.matcher(f.getFileName().toString());
        if (m.matches()) {
          found.add(f);
        }
      });
      found.sort(Comparator.comparing(f -> timeOf(f, name)));
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshots in " + dir, e);
    }
  }

  /** Deletes this cluster's oldest snapshots (and their sidecars) beyond the newest {@code keep}; returns what was deleted. */
  public List<Path> prune(int keep) {
    List<Path> all = list();
    List<Path> doomed = all.subList(0, Math.max(0, all.size() - keep));
    for (Path snapshot : doomed) {
      try {
        Files.deleteIfExists(SnapshotMetadata.sidecarOf(snapshot));
        Files.deleteIfExists(snapshot);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete old snapshot " + snapshot, e);
      }
    }
    return List.copyOf(doomed);
  }

  private static String timeOf(Path file, Pattern name) {
    Matcher m = name.matcher(file.getFileName().toString());
    return m.matches() ? m.group(1) : "";
  }

  private static SnapshotMetadata.Member member(Member m) {
    return new SnapshotMetadata.Member(m.getName(), m.getPeerURIs(), m.getClientURIs());
  }

  private static <T> T await(CompletableFuture<T> future, String what)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      return future.get(EtcdAccess.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new TimeoutException("could not " + what + " within " + EtcdAccess.CALL_TIMEOUT.toSeconds() + "s");
    }
  }
}
