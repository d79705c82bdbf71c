package dev.slipway.provisioner.etcd;

import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.inventory.Host;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where etcd members listen (client 2379, peer 2380 on the host's address, https only) and how the
 * provisioner reaches them: mutual TLS with the cluster directory's {@code apiserver-etcd-client}
 * certificate, trusting only the etcd CA.
 */
public final class EtcdEndpoints {
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  static final String CLIENT_CERTIFICATE = "apiserver-etcd-client";

  private EtcdEndpoints() {}

  public static URI clientUrl(Host host) {
    return URI.create("https://" + bracketed(host.address()) + ":" + CLIENT_PORT);
  }

  public static URI peerUrl(Host host) {
    return URI.create("https://" + bracketed(host.address()) + ":" + PEER_PORT);
  }

  /** etcd's {@code --initial-cluster}: {@code name=https://addr:2380,...}. */
  public static String initialCluster(List<Host> members) {
    return members.stream().map(h -> h.name() + "=" + peerUrl(h)).collect(Collectors.joining(","));
  }

  /** Mutual TLS to these members with the cluster directory's etcd client certificate. */
  public static EtcdAccess access(ClusterDirectory dir, CertificateCatalogue catalogue, List<Host> members) {
    var pki = dir.pki();
    var ca = catalogue.get(CertificateCatalogue.ETCD_CA).certificateFile(pki);
    var client = catalogue.get(CLIENT_CERTIFICATE);
    var cert = client.certificateFile(pki);
    var key = client.keyFile(pki);
    for (var file : List.of(ca, cert, key)) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException("no " + file + ": the cluster directory " + dir.root()
            + " has no etcd client certificate; run `slipway up` first (or pass the right --cluster-dir)");
      }
    }
    return new EtcdAccess(members.stream().map(EtcdEndpoints::clientUrl).toList(), ca, cert, key);
  }

  private static String bracketed(String address) {
    return address.contains(":") ? "[" + address + "]" : address;
  }
}
