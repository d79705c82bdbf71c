package dev.slipway.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a master runs the API server inside its agent. File names follow kubeadm's, under
 * {@code <root>/etc/slipway/pki/}; the Secret encryption keys live in {@code <root>/etc/slipway/encryption.keys}.
 *
 * @param etcdEndpoints every etcd member's client URL (the API server fails over between them)
 * @param nodePortFirst first port of the NodePort range (30000 normally)
 * @param podEvictionTimeout how long the controller manager leaves pods on an unreachable node (Kubernetes' 5m by default)
 */
public record ApiServerSection(
    String bindAddress,
    int port,
    Path servingCert,
    Path servingKey,
    Path clientCa,
    List<URI> etcdEndpoints,
    Path etcdCaCert,
    Path etcdClientCert,
    Path etcdClientKey,
    Path encryptionKeyFile,
    Path serviceAccountPublicKey,
    String serviceCidr,
    int nodePortFirst,
    int nodePortLast,
    Duration podEvictionTimeout) {

  public static final Duration DEFAULT_POD_EVICTION_TIMEOUT = Duration.ofMinutes(5);

  public ApiServerSection {
    podEvictionTimeout = podEvictionTimeout == null ? DEFAULT_POD_EVICTION_TIMEOUT : podEvictionTimeout;
    if (podEvictionTimeout.isNegative()) {
      throw new InvalidAgentConfigException("apiServer.podEvictionTimeout must not be negative, got " + GoDuration.format(podEvictionTimeout));
    }
    ConfigChecks.required(bindAddress, "apiServer.bindAddress");
    ConfigChecks.required(servingCert, "apiServer.servingCert");
    ConfigChecks.required(servingKey, "apiServer.servingKey");
    ConfigChecks.required(clientCa, "apiServer.clientCa");
    ConfigChecks.required(etcdEndpoints, "apiServer.etcdEndpoints");
    ConfigChecks.required(etcdCaCert, "apiServer.etcdCaCert");
    ConfigChecks.required(etcdClientCert, "apiServer.etcdClientCert");
    ConfigChecks.required(etcdClientKey, "apiServer.etcdClientKey");
    ConfigChecks.required(encryptionKeyFile, "apiServer.encryptionKeyFile");
    ConfigChecks.required(serviceAccountPublicKey, "apiServer.serviceAccountPublicKey");
    ConfigChecks.required(serviceCidr, "apiServer.serviceCidr");
    etcdEndpoints = List.copyOf(etcdEndpoints);
    if (etcdEndpoints.isEmpty()) {
      throw new InvalidAgentConfigException("apiServer.etcdEndpoints must list at least one etcd client URL");
    }
    etcdEndpoints.forEach(url -> ConfigChecks.https(url, "apiServer.etcdEndpoints"));
    if (port < 0 || port > 65535) {
      throw new InvalidAgentConfigException("apiServer.port must be between 0 and 65535, got " + port);
    }
    if (nodePortFirst < 1 || nodePortLast > 65535 || nodePortFirst > nodePortLast) {
      throw new InvalidAgentConfigException("apiServer node ports " + nodePortFirst + "-" + nodePortLast + " are not a port range");
    }
  }

  /** With Kubernetes' pod eviction timeout. */
  public ApiServerSection(String bindAddress, int port, Path servingCert, Path servingKey, Path clientCa, List<URI> etcdEndpoints,
      Path etcdCaCert, Path etcdClientCert, Path etcdClientKey, Path encryptionKeyFile, Path serviceAccountPublicKey,
      String serviceCidr, int nodePortFirst, int nodePortLast) {
    this(bindAddress, port, servingCert, servingKey, clientCa, etcdEndpoints, etcdCaCert, etcdClientCert, etcdClientKey,
        encryptionKeyFile, serviceAccountPublicKey, serviceCidr, nodePortFirst, nodePortLast, DEFAULT_POD_EVICTION_TIMEOUT);
  }

  public ApiServerSection withPodEvictionTimeout(Duration timeout) {
    return new ApiServerSection(bindAddress, port, servingCert, servingKey, clientCa, etcdEndpoints, etcdCaCert, etcdClientCert,
        etcdClientKey, encryptionKeyFile, serviceAccountPublicKey, serviceCidr, nodePortFirst, nodePortLast, timeout);
  }

  /** The usual master: port 6443 on the host's address, kubeadm's file names, NodePorts 30000-32767. */
  public static ApiServerSection standard(AgentPaths paths, String address, List<URI> etcdEndpoints, String serviceCidr) {
    Path pki = paths.pkiDir();
    return new ApiServerSection(address, 6443,
        pki.resolve("apiserver.crt"), pki.resolve("apiserver.key"), pki.resolve("ca.crt"),
        etcdEndpoints, pki.resolve("etcd/ca.crt"), pki.resolve("apiserver-etcd-client.crt"), pki.resolve("apiserver-etcd-client.key"),
        paths.root().resolve("etc/slipway/encryption.keys"), pki.resolve("sa.pub"), serviceCidr, 30000, 32767);
  }
}
