package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.up.AdminAccess;
import dev.slipway.provisioner.up.NodeSections;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code slipway kubeconfig -i FILE [--server MASTER]}: prints the admin kubeconfig that {@code up}
 * wrote into the cluster directory; {@code --server} points it at another master instead.
 */
@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
    description = {"Print the cluster's admin kubeconfig (written by `slipway up` into the cluster directory).",
        "It holds the admin key: keep it private, e.g. `slipway kubeconfig -i FILE > ~/.kube/config && chmod 600 ~/.kube/config`."})
final class KubeconfigCommand implements Callable<Integer> {
  @ParentCommand
  SlipwayCommand root;

  @Mixin
  InventoryOption inventory;

  @Mixin
  ClusterDirOption clusterDir;

  @Option(names = "--server", paramLabel = "MASTER",
      description = "Name of the master whose API server the kubeconfig points at (default: the first master, as written by up).")
  String server;

  @Override
  public Integer call() throws IOException {
    var inv = InventoryReader.read(inventory.file).inventory();
    var dir = clusterDir.open(inv);
    var file = dir.adminKubeconfig();
    if (!Files.isRegularFile(file)) {
      root.err().println("slipway: no admin kubeconfig at " + file + "; run `slipway up -i " + inventory.file + "` first");
      root.err().flush();
      return SlipwayCommand.FAILED;
    }
    if (server == null) {
      root.out().print(Files.readString(file));
    } else {
      var master = inv.hostsWith(Role.MASTER).stream().filter(h -> h.name().equals(server)).findFirst();
      if (master.isEmpty()) {
        root.err().println("slipway: --server " + server + " is not a master of " + inventory.file + "; masters: "
            + String.join(", ", inv.hostsWith(Role.MASTER).stream().map(h -> h.name()).toList()));
        root.err().flush();
        return SlipwayCommand.BAD_INPUT;
      }
      root.out().print(AdminAccess.of(inv.name(), dir, ClusterPki.catalogue(inv)).kubeconfig(NodeSections.apiServerUrl(master.get())).toYaml());
    }
    root.out().flush();
    return 0;
  }
}
