package dev.slipway.agent.runtime.process;

import dev.slipway.agent.runtime.ContainerState;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.SandboxStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the process runtime writes to its state folder, one JSON file per sandbox and per container. */
final class ProcessRecords {

  private ProcessRecords() {}

  record Sandbox(
      String id, String name, String namespace, String uid, int attempt,
      Map<String, String> labels, Instant createdAt, boolean ready) {

    SandboxStatus status(String nodeAddress) {
      return new SandboxStatus(id, name, namespace, uid, attempt,
          ready ? SandboxStatus.State.READY : SandboxStatus.State.NOT_READY, createdAt, ready ? nodeAddress : "", labels);
    }

    Sandbox stopped() {
      return new Sandbox(id, name, namespace, uid, attempt, labels, createdAt, false);
    }
  }

  /** Phase is created, running, exited or unknown; pid and processStart identify the process while it runs. */
  record Container(
      String id, String sandboxId, String name, int attempt, String image,
      List<String> argv, Map<String, String> env, String workingDir, Path logPath,
      Map<String, String> labels, Instant createdAt,
      String phase, long pid, Instant processStart, Instant startedAt, Instant finishedAt,
      int exitCode, String reason) {

    static final String CREATED = "created";
    static final String RUNNING = "running";
    static final String EXITED = "exited";
    static final String UNKNOWN = "unknown";

    Container running(long newPid, Instant newProcessStart, Instant started) {
      return new Container(id, sandboxId, name, attempt, image, argv, env, workingDir, logPath, labels, createdAt,
          RUNNING, newPid, newProcessStart, started, null, 0, "");
    }

    Container exited(Instant finished, int code, String why) {
      return new Container(id, sandboxId, name, attempt, image, argv, env, workingDir, logPath, labels, createdAt,
          EXITED, pid, processStart, startedAt, finished, code, why);
    }

    Container unknown(String why) {
      return new Container(id, sandboxId, name, attempt, image, argv, env, workingDir, logPath, labels, createdAt,
          UNKNOWN, pid, processStart, startedAt, Instant.now(), 0, why);
    }

    ContainerStatus status() {
      ContainerState state = switch (phase) {
        case CREATED -> new ContainerState.Created();
        case RUNNING -> new ContainerState.Running(startedAt);
        case EXITED -> new ContainerState.Exited(startedAt, finishedAt, exitCode, reason);
        default -> new ContainerState.Unknown(reason);
      };
      return new ContainerStatus(id, sandboxId, name, attempt, image, state, createdAt, logPath);
    }
  }
}
