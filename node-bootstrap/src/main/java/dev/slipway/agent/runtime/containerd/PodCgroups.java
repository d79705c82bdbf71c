package dev.slipway.agent.runtime.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The per-pod cgroup folders under /slipway (cgroupfs driver). runc makes them for the pod's
 * containers but nobody removes them, a job the kubelet does in Kubernetes; this does it once the
 * sandbox is gone. Best effort: a folder still in use stays.
 */
final class PodCgroups {

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  private PodCgroups() {}

  static void remove(String podUid) {
    String relative = ContainerdRuntime.cgroupParent(podUid).substring(1);
    // cgroup v1 has one hierarchy per controller; v2 has the one tree at the root.
    try (Stream<Path> hierarchies = Stream.concat(Stream.of(CGROUP_ROOT), Files.list(CGROUP_ROOT))) {
      hierarchies.map(h -> h.resolve(relative)).filter(Files::isDirectory).forEach(PodCgroups::removeTree);
    } catch (IOException e) {
      // No cgroup file system to tidy.
    }
  }

  private static void removeTree(Path dir) {
    try (Stream<Path> children = Files.list(dir)) {
      children.filter(Files::isDirectory).forEach(PodCgroups::removeTree);
    } catch (IOException e) {
      return;
    }
    try {
      // rmdir of a cgroup folder is allowed although it lists control files.
      Files.delete(dir);
    } catch (IOException e) {
      // Still in use (a process left) or already gone.
    }
  }
}
