package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the launcher starts a host's agent JVM, chosen by the host's roles and shipped as
 * {@code <root>/etc/slipway/agent.env}. A master runs the API server, scheduler and controllers
 * in-process and gets a generous heap; every other host runs only the node's services (kubelet, API
 * load balancer, kubelet API, CRI client, and an etcd member's snapshots) and gets a small footprint.
 * {@code SLIPWAY_AGENT_JAVA_OPTS} in the agent's environment comes after these options and wins.
 */
public record AgentLaunchSettings(String profile, List<String> javaOptions, Map<String, String> environment) {

  public static final String PATH = "/etc/slipway/agent.env";

  /** Masters: G1 with up to a quarter of the machine's memory, handing unused heap back when idle. */
  static final AgentLaunchSettings CONTROL_PLANE = new AgentLaunchSettings("control-plane", List.of(
      "-XX:+UseG1GC",
      "-XX:MaxRAMPercentage=25",
      "-XX:G1PeriodicGCInterval=300000"), Map.of());

  /**
   * Workers and etcd-only hosts: about 20 MB live heap with 20 pods (measured), so a 64 MB cap leaves
   * room; the serial collector has no per-region bookkeeping; C1 only, and compiling only code that
   * runs often, keeps the code cache and compiler arenas small; Netty (gRPC to containerd, jetcd)
   * allocates unpooled instead of keeping 16 MB arenas; two glibc malloc arenas instead of eight per core.
   */
  static final AgentLaunchSettings NODE = new AgentLaunchSettings("node", List.of(
      "-XX:+UseSerialGC",
      "-Xms8m",
      "-Xmx64m",
      "-Xmn8m",
      "-XX:MinHeapFreeRatio=10",
      "-XX:MaxHeapFreeRatio=20",
      "-Xss512k",
      "-XX:MaxMetaspaceSize=96m",
      "-XX:ReservedCodeCacheSize=32m",
      "-XX:TieredStopAtLevel=1",
      "-XX:Tier3InvocationThreshold=2000",
      "-XX:Tier3MinInvocationThreshold=1000",
      "-XX:Tier3CompileThreshold=20000",
      "-XX:MaxDirectMemorySize=32m",
      "-Dio.netty.allocator.type=unpooled"), Map.of("MALLOC_ARENA_MAX", "2"));

  public AgentLaunchSettings {
    javaOptions = List.copyOf(javaOptions);
    environment = Map.copyOf(environment);
  }

  /** Masters get the control-plane settings, whatever else they carry; every other host the node settings. */
  public static AgentLaunchSettings of(Host host) {
    return host.has(Role.MASTER) ? CONTROL_PLANE : NODE;
  }

  /**
   * The text of {@code agent.env}: {@code KEY=value} lines that the launcher reads (it does not
   * source the file), values unquoted and on one line.
   */
  public String envFile(Host host) {
    var roles = host.roles().stream().map(Role::word).sorted().collect(Collectors.joining(", "));
    var text = new StringBuilder()
        .append("# Written by `slipway up` for ").append(host.name()).append(" (roles: ").append(roles).append("): how\n")
        .append("# ").append(AgentControl.LAUNCHER_PATH).append(" starts the agent's JVM. Rewritten by every `up`; to override,\n")
        .append("# set SLIPWAY_AGENT_JAVA_OPTS in the agent's environment (a systemd drop-in), which comes last and wins.\n")
        .append("SLIPWAY_AGENT_PROFILE=").append(profile).append('\n')
        .append("SLIPWAY_AGENT_DEFAULT_JAVA_OPTS=").append(String.join(" ", javaOptions)).append('\n');
    environment.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> text.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
    return text.toString();
  }
}
