package dev.slipway.agent.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One container of a pod: an empty {@code command} keeps the image's entrypoint, an empty
 * {@code args} its default arguments, an empty {@code workingDir} its working directory.
 * {@code logPath} is absolute; the runtime writes the container's stdout and stderr there.
 */
public record ContainerSpec(
    String name,
    int attempt,
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    String workingDir,
    List<Mount> mounts,
    Path logPath,
    Resources resources,
    Map<String, String> labels) {

  public ContainerSpec {
    SandboxSpec.requireText(name, "container name");
    SandboxSpec.requireText(image, "image of container " + name);
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = Map.copyOf(env);
    workingDir = workingDir == null ? "" : workingDir;
    mounts = List.copyOf(mounts);
    Objects.requireNonNull(logPath, "logPath");
    if (!logPath.isAbsolute()) {
      throw new IllegalArgumentException("log path of container " + name + " must be absolute, got " + logPath);
    }
    Objects.requireNonNull(resources, "resources");
    labels = Map.copyOf(labels);
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt of container " + name + " must not be negative, got " + attempt);
    }
  }

  /** A host folder or file seen at {@code containerPath} inside the container. */
  public record Mount(Path hostPath, String containerPath, boolean readOnly) {
    public Mount {
      Objects.requireNonNull(hostPath, "hostPath");
      SandboxSpec.requireText(containerPath, "containerPath");
    }
  }

  /** Limits; zero means none. CPU in millicores as Kubernetes writes them, memory in bytes. */
  public record Resources(long cpuMillis, long memoryBytes) {
    public static final Resources NONE = new Resources(0, 0);

    public Resources {
      if (cpuMillis < 0 || memoryBytes < 0) {
        throw new IllegalArgumentException("resource limits must not be negative: cpu " + cpuMillis + "m, memory " + memoryBytes);
      }
    }
  }
}
