package dev.slipway.agent.config;

import java.net.URI;
import java.nio.file.Path;

/**
 * How this machine runs its etcd member. URLs are https only: etcd then refuses plain HTTP.
 *
 * @param dataDirName folder under {@code <root>/var/lib/slipway/etcd/}; a restore switches it
 * @param initialCluster etcd's {@code name=https://addr:2380,...} list of every member
 */
public record EtcdMemberConfig(
    String name,
    String dataDirName,
    URI clientUrl,
    URI peerUrl,
    String initialCluster,
    InitialClusterState initialClusterState,
    String initialClusterToken,
    Path binary,
    EtcdTlsFiles tls) {

  public EtcdMemberConfig {
    ConfigChecks.required(name, "etcd.name");
    ConfigChecks.required(dataDirName, "etcd.dataDirName");
    ConfigChecks.required(clientUrl, "etcd.clientUrl");
    ConfigChecks.required(peerUrl, "etcd.peerUrl");
    ConfigChecks.required(initialCluster, "etcd.initialCluster");
    ConfigChecks.required(initialClusterState, "etcd.initialClusterState");
    ConfigChecks.required(initialClusterToken, "etcd.initialClusterToken");
    ConfigChecks.required(binary, "etcd.binary");
    ConfigChecks.required(tls, "etcd.tls");
    if (dataDirName.contains("/") || dataDirName.startsWith(".")) {
      throw new InvalidAgentConfigException(
          "etcd.dataDirName must be a plain folder name, got '" + dataDirName + "'");
    }
    ConfigChecks.https(clientUrl, "etcd.clientUrl");
    ConfigChecks.https(peerUrl, "etcd.peerUrl");
    for (String member : initialCluster.split(",")) {
      int eq = member.indexOf('=');
      if (eq <= 0 || !member.substring(eq + 1).startsWith("https://")) {
        throw new InvalidAgentConfigException(
            "etcd.initialCluster entry '" + member + "' is not name=https://address:port");
      }
    }
  }

  /** The usual member: client 2379, peer 2380 on the host's address, binary and certificates in the standard places. */
  public static EtcdMemberConfig standard(
      AgentPaths paths, String name, String address, String initialCluster, InitialClusterState state, String token) {
    return new EtcdMemberConfig(
        name,
        name,
        URI.create("https://" + address + ":2379"),
        URI.create("https://" + address + ":2380"),
        initialCluster,
        state,
        token,
        paths.etcdBinary(),
        EtcdTlsFiles.standard(paths));
  }

  public EtcdMemberConfig withRestore(String newName, String newDataDirName, String newInitialCluster, String newToken) {
    return new EtcdMemberConfig(
        newName, newDataDirName, clientUrl, peerUrl, newInitialCluster, InitialClusterState.NEW, newToken, binary, tls);
  }
}
