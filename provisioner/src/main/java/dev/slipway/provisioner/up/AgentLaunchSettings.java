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
 * The operator's {@code SLIPWAY_AGENT_JAVA_OPTS} ({@link #LOCAL_PATH}, or the agent's environment)
 * comes after these options and wins.
 */
public record AgentLaunchSettings(String profile, List<String> javaOptions, Map<String, String> environment) {

  public static final String PATH = "/etc/slipway/agent.env";
  /** The operator's own overrides, which the launcher reads after {@link #PATH} and {@code up} never writes. */
  public static final String LOCAL_PATH = "/etc/slipway/agent.local.env";

  /**
   * Masters: G1 with up to a quarter of the machine's memory, handing unused heap back when idle.
   * The JIT compiles a method after four times the usual number of calls: a master's start runs a
   * great deal of code only a few times (API server, controllers, first lists and watches), and at
   * the usual thresholds the compiler threads took 11 of a master agent's 17-24 s of CPU during
   * {@code slipway up} on the testbed (three masters and two workers on two cores). With the scaling
   * the masters used 37-39 s of CPU together instead of 56-58 s, and {@code up} took 44 s
   * instead of 53-56 s (a factor of two gained about half as much). The cost: code that runs often
   * reaches the optimizing compiler later, so a master takes longer to reach its full request rate
   * under load (ApiServerBenchmark with the scaling, same warm-up: API creates 0.40 of the raw etcd
   * put rate against 0.47-0.48 without).
   */
  static final AgentLaunchSettings CONTROL_PLANE = new AgentLaunchSettings("control-plane", List.of(
      "-XX:+UseG1GC",
      "-XX:MaxRAMPercentage=25",
      "-XX:G1PeriodicGCInterval=300000",
      "-XX:CompileThresholdScaling=4"), Map.of());

  /**
   * Workers and etcd-only hosts. Measured on a testbed worker with 20 pods: about 22 MB live heap,
   * 9,600 classes. The serial collector keeps no per-region bookkeeping, but grows its old generation
   * up to -Xmx before collecting it, so -Xmx is the heap's real budget (room for a full node's pods);
   * a small fixed young generation and tight free ratios keep it near the live set after collections,
   * and the agent runs a full collection every minute (its {@code PeriodicHeapCollection}, the serial
   * collector's counterpart of the masters' {@code G1PeriodicGCInterval}).
   * C1 only keeps the code cache and compiler arenas small, and it compiles a method after five
   * times the JDK's usual number of calls, which leaves code that runs only at start interpreted.
   * Alternating fresh-cluster runs of bench/pod-start-and-agent-memory.sh on the testbed: at 25
   * times (the earlier setting) the agent with 20 pods was 133 MiB, used 10.8-12.4% of a core while
   * they idled (each pod's resync ran largely interpreted), and pod start p99 was 0.66-1.05 s in six
   * runs; at five times 136-137 MiB, 7.9-8.8% of a core, p99 0.76 and 0.94 s; at the JDK's own
   * thresholds 140-141 MiB, p99 0.76-0.78 s. Netty (gRPC to containerd, jetcd) allocates unpooled
   * instead of holding 16 MB arenas; two glibc malloc arenas instead of eight per core.
   */
  static final AgentLaunchSettings NODE = new AgentLaunchSettings("node", List.of(
      "-XX:+UseSerialGC",
      "-Xms8m",
      "-Xmx64m",
      "-Xmn4m",
      "-XX:MinHeapFreeRatio=5",
      "-XX:MaxHeapFreeRatio=10",
      "-XX:-ShrinkHeapInSteps",
      "-Xss512k",
      "-XX:MaxMetaspaceSize=96m",
      "-XX:ReservedCodeCacheSize=32m",
      "-XX:TieredStopAtLevel=1",
      "-XX:Tier3InvocationThreshold=1000",
      "-XX:Tier3MinInvocationThreshold=400",
      "-XX:Tier3CompileThreshold=10000",
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
        .append("# Written by `slipway up` for ").append(host.name()).append(" (roles: ").append(roles).append(").\n")
        .append("# How ").append(AgentControl.LAUNCHER_PATH).append(" starts the agent's JVM; rewritten by every `up`.\n")
        .append("# To override, write SLIPWAY_AGENT_JAVA_OPTS=<options> into ").append(LOCAL_PATH)
        .append(" (never rewritten);\n# its options come after these and win.\n")
        .append("SLIPWAY_AGENT_PROFILE=").append(profile).append('\n')
        .append("SLIPWAY_AGENT_DEFAULT_JAVA_OPTS=").append(String.join(" ", javaOptions)).append('\n');
    environment.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> text.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
    return text.toString();
  }
}
