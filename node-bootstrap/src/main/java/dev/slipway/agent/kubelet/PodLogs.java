package dev.slipway.agent.kubelet;

import java.nio.file.Path;

/** Where container logs live: {@code <root>/var/log/slipway/pods/<ns>_<name>_<uid>/<container>/<restart>.log}. */
public record PodLogs(Path logRoot) {

  public Path podDirectory(String namespace, String name, String uid) {
    return logRoot.resolve("pods").resolve(namespace + "_" + name + "_" + uid);
  }

  public Path containerLog(String namespace, String name, String uid, String container, int attempt) {
    return podDirectory(namespace, name, uid).resolve(container).resolve(attempt + ".log");
  }
}
