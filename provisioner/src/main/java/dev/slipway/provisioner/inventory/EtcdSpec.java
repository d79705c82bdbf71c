package dev.slipway.provisioner.inventory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Which etcd binary to ship and how often to snapshot. */
public record EtcdSpec(EtcdBinary binary, Duration snapshotInterval, int snapshotsKept) {

  /** Where the etcd binary that Slipway ships comes from. */
  public sealed interface EtcdBinary {
    /** Found on this machine's PATH when needed. */
    record OnPath() implements EtcdBinary {}

    /** The file the inventory names (absolute). */
    record File(Path path) implements EtcdBinary {}

    /** The etcd on this machine's PATH if there is one, else this download (sha256: 64 lower-case hex digits). */
    record OnPathElseDownload(URI url, String sha256) implements EtcdBinary {}
  }
}
