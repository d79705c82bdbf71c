package dev.slipway.provisioner.up;

import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.pki.Kubeconfig;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import javax.net.ssl.SSLContext;

/**
 * The operator's way into the cluster: the catalogue's {@code admin} client pair (group
 * {@code system:masters}) and the cluster CA from the cluster directory, as a kubeconfig, a TLS
 * context for plain HTTPS probes, or a fabric8 client. The provisioner talks to the API like any client.
 */
public final class AdminAccess {
  static final String ADMIN = "admin";
  static final String ADMIN_USER = "kubernetes-admin";
  private final String clusterName;
  private final TrustedCertificates clusterCa;
  private final TlsIdentity admin;

  private AdminAccess(String clusterName, TrustedCertificates clusterCa, TlsIdentity admin) {
    this.clusterName = clusterName;
    this.clusterCa = clusterCa;
    this.admin = admin;
  }

  public static AdminAccess of(String clusterName, ClusterDirectory dir, CertificateCatalogue catalogue) {
    var pki = dir.pkiDirectory();
    var ca = catalogue.get(CertificateCatalogue.CLUSTER_CA);
    return new AdminAccess(clusterName, TrustedCertificates.load(ca.certificateFile(pki.folder())), pki.identity(catalogue.get(ADMIN)));
  }

  public Kubeconfig kubeconfig(URI server) {
    return Kubeconfig.of(clusterName, server.toString(), clusterCa.authorities().getFirst(), ADMIN_USER, admin);
  }

  public SSLContext sslContext() {
    return admin.sslContext(clusterCa);
  }

  /** A fabric8 client for {@code server}; the caller closes it. */
  public KubernetesClient client(URI server) {
    // Keys and trust go in as a TLS context: fabric8 cannot read PKCS#8 EC keys from a kubeconfig.
    var config = new ConfigBuilder(Config.empty()).withMasterUrl(server.toString()).build();
    config.setRequestTimeout(10_000);
    config.setConnectionTimeout(5_000);
    config.setOnlyHttpWatches(true);
    // up's waits poll on their own clock; fabric8's default ten retries would hold one call for ~20 s.
    config.setRequestRetryBackoffLimit(2);
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(builder -> builder.sslContext(admin.keyManagerFactory().getKeyManagers(),
            clusterCa.trustManagerFactory().getTrustManagers()))
        .build();
  }
}
