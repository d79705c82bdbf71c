package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.inventory.CheckedInventory;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.inventory.Role;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code slipway inventory}: work with inventory files. */
@Command(name = "inventory", description = "Work with inventory files.", mixinStandardHelpOptions = true,
    subcommands = InventoryCommand.Check.class)
final class InventoryCommand extends CommandGroup {
  @ParentCommand
  SlipwayCommand root;


  /** {@code slipway inventory check -i FILE}: validate and summarise. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate an inventory and print a short summary; exit code 2 when it is not valid.")
  static final class Check implements Runnable {
    @ParentCommand
    InventoryCommand parent;

    @Mixin
    InventoryOption inventory;

    @Override
    public void run() {
      var checked = InventoryReader.read(inventory.file);
      var root = parent.root;
      if (root.json()) {
        root.out().println(Json.write(summary(checked)));
      } else {
        root.out().print(text(checked));
      }
      root.out().flush();
    }

    private String text(CheckedInventory checked) {
      var inv = checked.inventory();
      var out = new StringBuilder();
      out.append(String.format(Locale.ROOT, "%s: valid. Cluster \"%s\", provider %s, %d hosts: %d master, %d etcd, %d worker.%n",
          inventory.file, inv.name(), inv.provider().name().toLowerCase(Locale.ROOT), inv.hosts().size(),
          inv.hostsWith(Role.MASTER).size(), inv.hostsWith(Role.ETCD).size(), inv.hostsWith(Role.WORKER).size()));
      int width = inv.hosts().stream().mapToInt(h -> h.name().length()).max().orElse(4);
      int addressWidth = inv.hosts().stream().mapToInt(h -> h.address().length()).max().orElse(7);
      for (var host : inv.hosts()) {
        out.append(String.format(Locale.ROOT, "  %-" + width + "s  %-" + addressWidth + "s  %s%n",
            host.name(), host.address(), roles(host)));
      }
      checked.notes().forEach(n -> out.append("note: ").append(n).append('\n'));
      return out.toString();
    }

    private Map<String, Object> summary(CheckedInventory checked) {
      var inv = checked.inventory();
      var out = new LinkedHashMap<String, Object>();
      out.put("file", inventory.file.toString());
      out.put("valid", true);
      out.put("cluster", inv.name());
      out.put("provider", inv.provider().name().toLowerCase(Locale.ROOT));
      out.put("hosts", inv.hosts().stream().map(h -> Map.of("name", h.name(), "address", h.address(),
          "roles", List.of(roles(h).split(",")))).toList());
      out.put("etcdMembers", inv.hostsWith(Role.ETCD).stream().map(Host::name).toList());
      out.put("notes", checked.notes());
      return out;
    }

    private static String roles(Host host) {
      return Arrays.stream(Role.values()).filter(host::has).map(Role::word).collect(Collectors.joining(","));
    }
  }
}
