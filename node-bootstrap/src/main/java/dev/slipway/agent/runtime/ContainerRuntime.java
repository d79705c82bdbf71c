package dev.slipway.agent.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the kubelet needs from a container runtime, and nothing more: pod sandboxes, containers in
 * them, exec, and images from bundles. Two implementations (DESIGN.md decision 8): containerd over
 * CRI, and plain host processes. Ids are the runtime's own; names in specs are the pod's.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** A short name for logs and node status, e.g. {@code containerd://1.6.20} or {@code process}. */
  String version();

  /** How this runtime writes the container log files that {@link ContainerStatus#logPath()} names. */
  LogFormat logFormat();

  /** Creates a pod sandbox (network, shared namespaces) and returns its id; it is ready on return. */
  String runPodSandbox(SandboxSpec spec);

  /** Stops every container of the sandbox at once and releases its network; idempotent. */
  void stopPodSandbox(String sandboxId);

  /** Removes a stopped sandbox and its containers; a sandbox that is gone already is fine. */
  void removePodSandbox(String sandboxId);

  /** Every sandbox on the node, with its status: for adopting and cleaning up at start, not for one pod's sync. */
  List<SandboxStatus> listPodSandboxes();

  /** The sandboxes of one pod (each attempt), with their status. */
  default List<SandboxStatus> podSandboxes(String podUid) {
    return listPodSandboxes().stream().filter(s -> s.uid().equals(podUid)).toList();
  }

  Optional<SandboxStatus> podSandboxStatus(String sandboxId);

  /** Creates (but does not start) a container in a sandbox; returns its id. */
  String createContainer(String sandboxId, ContainerSpec spec);

  void startContainer(String containerId);

  /** SIGTERM, then SIGKILL once {@code grace} has passed; returns when the container has exited. */
  void stopContainer(String containerId, Duration grace);

  /** Removes an exited container (a running one is killed first); a container that is gone is fine. */
  void removeContainer(String containerId);

  /** Containers of one sandbox, in every state. */
  List<ContainerStatus> listContainers(String sandboxId);

  Optional<ContainerStatus> containerStatus(String containerId);

  /** Runs a command in a running container and waits for it (exec probes); a timeout is an error. */
  ExecResult execSync(String containerId, List<String> command, Duration timeout);

  /** Runs a command in a running container with its standard streams open to the caller. */
  ExecSession exec(String containerId, List<String> command);

  boolean hasImage(String image);

  /** Imports every image of an OCI image tarball (an image bundle); returns the references it holds. */
  List<String> importImages(Path tarball);

  /** Removes an image; an image that is not there is fine. */
  void removeImage(String image);

  /** Closes the connection to the runtime; pods keep running. */
  @Override
  void close();
}
