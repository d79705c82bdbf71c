package dev.slipway.agent.etcd;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.controlplane.storage.EtcdTuning;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's command line for one member: https only and client certificates required on both ports,
 * tuned for the API server's store ({@link EtcdTuning}).
 */
public final class EtcdCommandLine {

  /** How often etcd tells each caught-up watch its revision; API server bookmarks are this fresh. */
  static final String PROGRESS_NOTIFY_INTERVAL = "5s";

  private EtcdCommandLine() {}

  static List<String> of(AgentPaths paths, EtcdMemberConfig member) {
    var tls = member.tls();
    var command = new ArrayList<>(List.of(
        member.binary().toString(),
        "--name=" + member.name(),
        "--data-dir=" + paths.etcdDataDir(member.dataDirName()),
        "--listen-client-urls=" + member.clientUrl(),
        "--advertise-client-urls=" + member.clientUrl(),
        "--listen-peer-urls=" + member.peerUrl(),
        "--initial-advertise-peer-urls=" + member.peerUrl(),
        "--initial-cluster=" + member.initialCluster(),
        "--initial-cluster-state=" + member.initialClusterState().flag(),
        "--initial-cluster-token=" + member.initialClusterToken(),
        "--client-cert-auth",
        "--trusted-ca-file=" + tls.caCert(),
        "--cert-file=" + tls.serverCert(),
        "--key-file=" + tls.serverKey(),
        "--peer-client-cert-auth",
        "--peer-trusted-ca-file=" + tls.caCert(),
        "--peer-cert-file=" + tls.peerCert(),
        "--peer-key-file=" + tls.peerKey(),
        // The API server's watch caches learn how far etcd is only from these (never by asking).
        "--experimental-watch-progress-notify-interval=" + PROGRESS_NOTIFY_INTERVAL,
        "--logger=zap",
        "--log-outputs=stderr"));
    command.addAll(EtcdTuning.flags());
    return List.copyOf(command);
  }

  /** The flag that tells which data dir a running etcd serves; adoption matches on it. */
  static String dataDirFlag(AgentPaths paths, EtcdMemberConfig member) {
    return "--data-dir=" + paths.etcdDataDir(member.dataDirName());
  }
}
