package dev.slipway.agent;

import dev.slipway.agent.config.AgentPaths;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --root DIR}: the folder every agent path hangs under ({@code /} on a real machine). */
final class RootOption {

  @Option(names = "--root", defaultValue = "/", paramLabel = "DIR", description = "Root folder of this host's files (default: ${DEFAULT-VALUE}).")
  Path root;

  AgentPaths paths() {
    return new AgentPaths(root);
  }
}
