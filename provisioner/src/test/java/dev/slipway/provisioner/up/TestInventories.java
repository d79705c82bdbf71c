package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.InventoryReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small local-provider inventories written into a test's folder. */
public final class TestInventories {
  private TestInventories() {}

  /** Hosts {@code name:address} with roles master+etcd, under {@code dir/hosts/<name>}. */
  public static Inventory masters(Path dir, String cluster, String... hosts) throws IOException {
    var yaml = new StringBuilder("""
        apiVersion: slipway.dev/v1
        kind: Cluster
        metadata:
          name: %s
        spec:
          provider: local
          hosts:
        """.formatted(cluster));
    for (var host : hosts) {
      var parts = host.split(":");
      yaml.append("    - {name: %s, address: %s, roles: [master, etcd], rootDir: hosts/%s}\n".formatted(parts[0], parts[1], parts[0]));
    }
    return InventoryReader.read(Files.writeString(dir.resolve(cluster + ".yaml"), yaml)).inventory();
  }
}
