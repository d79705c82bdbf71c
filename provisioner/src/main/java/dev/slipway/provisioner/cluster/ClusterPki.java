package dev.slipway.provisioner.cluster;

import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.pki.ClusterTopology;
import dev.slipway.pki.KeyAlgorithm;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.Role;

/** The inventory as the certificate catalogue sees it: one topology, hence one catalogue. */
public final class ClusterPki {
  private ClusterPki() {}

  public static CertificateCatalogue catalogue(Inventory inventory) {
    return CertificateCatalogue.of(topology(inventory));
  }

  public static ClusterTopology topology(Inventory inventory) {
    var algorithm = switch (inventory.pki().keyAlgorithm()) {
      case ECDSA -> KeyAlgorithm.ECDSA_P256;
      case RSA -> KeyAlgorithm.RSA_2048;
    };
    return new ClusterTopology(inventory.name(),
        inventory.hostsWith(Role.MASTER).stream().map(ClusterPki::member).toList(),
        inventory.hostsWith(Role.ETCD).stream().map(ClusterPki::member).toList(),
        inventory.network().serviceCidr().toString(), inventory.network().clusterDomain(),
        inventory.apiServerExtraSans(), algorithm, inventory.pki().caValidity(), inventory.pki().leafValidity());
  }

  private static ClusterTopology.Member member(Host host) {
    return new ClusterTopology.Member(host.name(), host.address());
  }
}
