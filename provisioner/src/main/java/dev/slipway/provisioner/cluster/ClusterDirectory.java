package dev.slipway.provisioner.cluster;

import dev.slipway.pki.PkiDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import tools.jackson.core.JacksonException;

/**
 * The operator's folder for one cluster, {@code ~/.slipway/clusters/<name>/} unless told otherwise:
 * {@code pki/} (kubeadm names), {@code state.json} (what was applied), {@code snapshots/} and later
 * {@code admin.kubeconfig}. Folders are 0700 and every file that holds a secret 0600.
 */
public final class ClusterDirectory {
  private static final String OWNER_ONLY_DIR = "rwx------";
  private static final String OWNER_ONLY_FILE = "rw-------";

  private final Path root;

  private ClusterDirectory(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The folder, made (0700, with {@code pki/} and {@code snapshots/}) when it is missing. */
  public static ClusterDirectory open(Path root) {
    var dir = new ClusterDirectory(root);
    dir.ensureFolder(dir.root);
    dir.ensureFolder(dir.pki());
    dir.ensureFolder(dir.snapshots());
    return dir;
  }

  public Path root() {
    return root;
  }

  public Path pki() {
    return root.resolve("pki");
  }

  public PkiDirectory pkiDirectory() {
    return PkiDirectory.at(pki());
  }

  public Path stateFile() {
    return root.resolve("state.json");
  }

  public Path snapshots() {
    return root.resolve("snapshots");
  }

  public Path adminKubeconfig() {
    return root.resolve("admin.kubeconfig");
  }

  /** What the last run applied; empty before the first {@code up}. */
  public Optional<ClusterState> readState() {
    try {
      return Optional.of(ClusterState.JSON.readValue(Files.readAllBytes(stateFile()), ClusterState.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stateFile() + ": " + e.getMessage(), e);
    } catch (JacksonException e) {
      throw new IllegalStateException(stateFile() + " is not a Slipway state file: " + e.getOriginalMessage()
          + "; move it aside to start over (the PKI in " + pki() + " is kept)", e);
    }
  }

  /** Writes the state atomically (temp file 0600, then rename). */
  public void writeState(ClusterState state) {
    var temp = root.resolve(".state.json.partial");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY_FILE)));
      Files.write(temp, ClusterState.JSON.writeValueAsBytes(state));
      Files.move(temp, stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stateFile() + ": " + e.getMessage(), e);
    }
  }

  private void ensureFolder(Path folder) {
    try {
      if (!Files.isDirectory(folder)) {
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY_DIR)));
      }
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(OWNER_ONLY_DIR));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the cluster folder " + folder + ": " + e.getMessage(), e);
    }
  }
}
