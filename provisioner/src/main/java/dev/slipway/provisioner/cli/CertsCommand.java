package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.certs.CertificateRow;
import dev.slipway.provisioner.certs.CertsCheck;
import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.inventory.InventoryReader;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code slipway certs}: the cluster's certificates. */
@Command(name = "certs", description = "Work with the cluster's certificates.", mixinStandardHelpOptions = true,
    subcommands = CertsCommand.Check.class)
final class CertsCommand extends CommandGroup {
  @ParentCommand
  SlipwayCommand root;


  /** {@code slipway certs check -i FILE}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"One row per certificate: from the cluster directory and as each etcd member serves it on 2379/2380.",
          "Flags certificates expiring within 30 days, expired, missing, unreachable or served but different from the file;",
          "exit code 1 when anything is flagged."})
  static final class Check implements Callable<Integer> {
    @ParentCommand
    CertsCommand parent;

    @Mixin
    InventoryOption inventory;

    @Mixin
    ClusterDirOption clusterDir;

    @Override
    public Integer call() {
      var inv = InventoryReader.read(inventory.file).inventory();
      var rows = new CertsCheck(Clock.systemUTC()).check(inv, clusterDir.open(inv), ClusterPki.catalogue(inv));
      var root = parent.root;
      if (root.json()) {
        root.out().println(Json.write(rows.stream().map(r -> {
          var row = new LinkedHashMap<String, Object>();
          row.put("certificate", r.certificate());
          row.put("source", r.source());
          row.put("notAfter", r.notAfter().map(Object::toString).orElse(null));
          row.put("daysLeft", r.notAfter().isPresent() ? r.daysLeft() : null);
          row.put("flag", r.flag());
          row.put("detail", r.detail());
          return row;
        }).toList()));
      } else {
        root.out().print(CertsCheck.table(rows));
        long flagged = rows.stream().filter(CertificateRow::flagged).count();
        root.out().println(flagged == 0 ? "All " + rows.size() + " certificates ok."
            : flagged + " of " + rows.size() + " rows flagged.");
      }
      root.out().flush();
      return rows.stream().anyMatch(CertificateRow::flagged) ? SlipwayCommand.FAILED : 0;
    }
  }
}
