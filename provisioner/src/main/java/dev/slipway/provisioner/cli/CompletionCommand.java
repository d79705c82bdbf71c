package dev.slipway.provisioner.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code slipway completion}: prints a bash completion script. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a bash completion script.", "Use: source <(slipway completion)"})
final class CompletionCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    var root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash("slipway", root));
    spec.commandLine().getOut().flush();
  }
}
