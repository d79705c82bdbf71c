package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.inventory.InventoryException;
import dev.slipway.provisioner.phase.JsonProgress;
import dev.slipway.provisioner.phase.Progress;
import dev.slipway.provisioner.phase.TextProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code slipway}: the entry point. Global options are inherited by every subcommand. */
@Command(name = "slipway", mixinStandardHelpOptions = true, versionProvider = SlipwayCommand.Version.class,
    description = "Provisions a highly available Kubernetes-compatible cluster from an inventory file.",
    subcommands = {InventoryCommand.class, PreflightCommand.class, UpCommand.class, KubeconfigCommand.class, CertsCommand.class,
        EtcdCommand.class, CompletionCommand.class},
    usageHelpAutoWidth = true)
public final class SlipwayCommand extends CommandGroup {
  /** Exit code of a run where a check or phase failed. */
  public static final int FAILED = 1;
  /** Exit code of a bad inventory or bad usage. */
  public static final int BAD_INPUT = 2;

  public enum Output { text, json }

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Show per-host start lines and stack traces of errors.")
  boolean verbose;

  @Option(names = "--output", scope = ScopeType.INHERIT, paramLabel = "text|json", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Output output;


  public static void main(String[] args) {
    if (Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"))) {
      // Before any logger exists: libraries' info lines (SSH handshakes) help when asked for.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: errors are one line on stderr, the stack trace only with -v. */
  public static CommandLine commandLine() {
    var root = new SlipwayCommand();
    var commandLine = new CommandLine(root);
    commandLine.setExecutionExceptionHandler((error, cl, parsed) -> {
      var err = cl.getErr();
      if (error instanceof InventoryException bad) {
        err.println(bad.getMessage());
      } else {
        err.println("slipway: " + oneLine(error));
      }
      if (root.verbose) {
        error.printStackTrace(err);
      }
      err.flush();
      return error instanceof InventoryException ? BAD_INPUT : FAILED;
    });
    commandLine.setParameterExceptionHandler((error, args) -> {
      var err = error.getCommandLine().getErr();
      err.println("slipway: " + error.getMessage());
      err.println("Try '" + error.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
      err.flush();
      return BAD_INPUT;
    });
    return commandLine;
  }

  private static String oneLine(Throwable error) {
    var message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
  }

  boolean json() {
    return output == Output.json;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Where a long run reports its phases: JSON lines on stderr with {@code --output json}, else text on stdout. */
  Progress progress() {
    return json() ? new JsonProgress(err()) : new TextProgress(out(), verbose);
  }

  /** The project version, filtered into a resource at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      var properties = new Properties();
      try (InputStream in = SlipwayCommand.class.getResourceAsStream("slipway-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"slipway " + properties.getProperty("version", "unknown")};
    }
  }
}
