package dev.slipway.agent.etcd;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import java.util.List;
import java.util.Map;

/** etcd's command line for one member: https only and client certificates required on both ports. */
public final class EtcdCommandLine {

  /** How often etcd tells each caught-up watch its revision; API server bookmarks are this fresh. */
  static final String PROGRESS_NOTIFY_INTERVAL = "5s";
  /**
   * How long etcd keeps writes in its backend's pending batch before committing them (etcd's default
   * is 100ms). etcd 3.4 copies that batch on every transaction, and every API server write is one: a
   * short batch keeps the copy small (decision 0015).
   */
  public static final String BACKEND_BATCH_INTERVAL = "10ms";

  /**
   * Go's garbage collector target for etcd (Go's default is 100: collect when the heap has doubled).
   * etcd 3.4 allocates a copy of its pending write batch for every write transaction, and collecting
   * it cost about a fifth of etcd's CPU per API write; 400 collects a quarter as often (decision 0016).
   */
  static final String GC_PERCENT = "400";

  private EtcdCommandLine() {}

  /**
   * etcd's environment on a machine with {@code machineMemoryBytes}: the collector target above, and
   * a soft memory limit of half the machine, where Go collects more often again. A heap that reaches
   * it would have needed the whole machine with Go's default target, so the limit only takes back
   * slack that memory cannot spare.
   */
  public static Map<String, String> environment(long machineMemoryBytes) {
    return Map.of("GOGC", GC_PERCENT, "GOMEMLIMIT", Long.toString(machineMemoryBytes / 2));
  }

  static List<String> of(AgentPaths paths, EtcdMemberConfig member) {
    var tls = member.tls();
    return List.of(
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
        "--backend-batch-interval=" + BACKEND_BATCH_INTERVAL,
        "--logger=zap",
        "--log-outputs=stderr");
  }

  /** The flag that tells which data dir a running etcd serves; adoption matches on it. */
  static String dataDirFlag(AgentPaths paths, EtcdMemberConfig member) {
    return "--data-dir=" + paths.etcdDataDir(member.dataDirName());
  }
}
