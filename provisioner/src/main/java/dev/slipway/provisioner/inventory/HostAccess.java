package dev.slipway.provisioner.inventory;

import java.nio.file.Path;
import java.time.Duration;

/** How one host is reached, with the inventory's defaults already applied. */
public sealed interface HostAccess {

  /** A machine reached over SSH. Paths are absolute. */
  record Ssh(String user, int port, Path identityFile, Path knownHostsFile,
             HostKeyCheck hostKeyCheck, Duration connectTimeout) implements HostAccess {}

  /** A folder on this machine standing in for a host's root directory. Absolute. */
  record Local(Path rootDir) implements HostAccess {}
}
