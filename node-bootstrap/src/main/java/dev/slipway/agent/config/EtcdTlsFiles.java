package dev.slipway.agent.config;

import java.nio.file.Path;

/**
 * This member's certificates, with kubeadm's file names. The server certificate carries
 * clientAuth too, so the agent also uses it as its own client identity towards etcd.
 */
public record EtcdTlsFiles(Path caCert, Path serverCert, Path serverKey, Path peerCert, Path peerKey) {

  public EtcdTlsFiles {
    ConfigChecks.required(caCert, "etcd.tls.caCert");
    ConfigChecks.required(serverCert, "etcd.tls.serverCert");
    ConfigChecks.required(serverKey, "etcd.tls.serverKey");
    ConfigChecks.required(peerCert, "etcd.tls.peerCert");
    ConfigChecks.required(peerKey, "etcd.tls.peerKey");
  }

  /** The standard locations under {@code <root>/etc/slipway/pki/etcd/}. */
  public static EtcdTlsFiles standard(AgentPaths paths) {
    Path etcd = paths.pkiDir().resolve("etcd");
    return new EtcdTlsFiles(
        etcd.resolve("ca.crt"),
        etcd.resolve("server.crt"),
        etcd.resolve("server.key"),
        etcd.resolve("peer.crt"),
        etcd.resolve("peer.key"));
  }
}
