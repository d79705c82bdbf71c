package dev.slipway.provisioner.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -i FILE}: the inventory a command works on. */
final class InventoryOption {
  @Option(names = {"-i", "--inventory"}, required = true, paramLabel = "FILE",
      description = "The inventory file (YAML, apiVersion slipway.dev/v1, kind Cluster).")
  Path file;
}
