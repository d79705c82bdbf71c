package dev.slipway.agent;

import picocli.CommandLine.Command;

/**
 * {@code daemon}: the agent as the launcher script starts it detached ({@code setsid nohup ... &}),
 * logging to the agent log only.
 */
@Command(name = "daemon", description = "Run the agent detached from a terminal (the launcher script starts it with setsid); logs to <root>/var/log/slipway/agent.log.")
final class DaemonCommand extends RunCommand {

  @Override
  boolean console() {
    return false;
  }
}
