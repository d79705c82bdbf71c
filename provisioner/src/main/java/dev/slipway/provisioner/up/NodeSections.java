package dev.slipway.provisioner.up;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.ApiServerSection;
import dev.slipway.agent.config.KubeletSection;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.inventory.Taint;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The control-plane half of a host's agent.yaml: the {@code apiServer} section on masters, and the
 * {@code kubelet} section on every master and worker (both become Nodes). Masters that are not also
 * workers carry {@code node-role.kubernetes.io/control-plane:NoSchedule}.
 */
public final class NodeSections {
  public static final int API_PORT = 6443;
  static final String CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";

  private NodeSections() {}

  /** Masters and workers run a kubelet; an etcd-only host does not. */
  public static boolean runsKubelet(Host host) {
    return host.has(Role.MASTER) || host.has(Role.WORKER);
  }

  public static URI apiServerUrl(Host master) {
    var address = master.address().contains(":") ? "[" + master.address() + "]" : master.address();
    return URI.create("https://" + address + ":" + API_PORT);
  }

  static AgentConfig complete(UpRun run, Host host, AgentConfig base) {
    var inventory = run.inventory();
    var paths = UpRun.paths(host);
    var config = base;
    if (host.has(Role.MASTER)) {
      var etcd = inventory.hostsWith(Role.ETCD).stream().map(EtcdEndpoints::clientUrl).toList();
      config = config.withApiServer(ApiServerSection.standard(paths, host.address(), etcd, inventory.network().serviceCidr().toString())
          .withPodEvictionTimeout(inventory.podEvictionTimeout()));
    }
    if (runsKubelet(host)) {
      var apiServers = inventory.hostsWith(Role.MASTER).stream().map(NodeSections::apiServerUrl).toList();
      var token = ClusterSecrets.bootstrapToken(run.dir()).toString();
      // The local provider's hosts share this machine's loopback: each balancer listens on its host's own address.
      var balancer = host.access() instanceof HostAccess.Local ? host.address() : "127.0.0.1";
      config = config.withKubelet(new KubeletSection(apiServers, paths.pkiDir().resolve("ca.crt"), token,
          inventory.runtime().name().toLowerCase(Locale.ROOT), balancer, KubeletSection.LOAD_BALANCER_PORT, KubeletSection.KUBELET_PORT,
          host.labels(), taints(host), podCidr(run, host)));
    }
    return config;
  }

  static List<String> taints(Host host) {
    var taints = new ArrayList<String>(host.taints().stream().map(Taint::toString).toList());
    if (host.has(Role.MASTER) && !host.has(Role.WORKER) && host.taints().stream().noneMatch(t -> t.key().equals(CONTROL_PLANE_TAINT))) {
      taints.add(CONTROL_PLANE_TAINT + ":NoSchedule");
    }
    return taints;
  }

  private static String podCidr(UpRun run, Host host) {
    var range = run.state().podCidrs().get(host.name());
    if (range == null) {
      throw new IllegalStateException("no pod range planned for " + host.name() + " (the phase \"" + PlanNodes.TITLE + "\" did not run)");
    }
    return range;
  }
}
