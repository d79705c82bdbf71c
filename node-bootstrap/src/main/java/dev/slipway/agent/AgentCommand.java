package dev.slipway.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slipway-agent}: the one program Slipway installs on every machine. */
@Command(
    name = "slipway-agent",
    mixinStandardHelpOptions = true,
    version = "slipway-agent 0.1.0",
    description = "Runs this machine's part of a Slipway cluster (etcd member, snapshots, control plane, kubelet).",
    subcommands = {RunCommand.class, DaemonCommand.class, StopCommand.class, StatusCommand.class, EtcdRestoreCommand.class})
public final class AgentCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, daemon, stop, status or etcd-restore");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new AgentCommand())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("slipway-agent: " + e.getMessage());
          return 1;
        });
  }
}
