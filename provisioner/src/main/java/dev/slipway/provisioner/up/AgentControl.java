package dev.slipway.provisioner.up;

import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.transport.HostTransport;
import dev.slipway.provisioner.transport.RunOptions;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts, stops and asks after the agent on one host. Where PID 1 is systemd (SSH hosts only) the
 * agent is the {@code slipway-agent} unit; elsewhere the launcher's daemon mode runs it detached.
 */
public final class AgentControl {
  public static final String UNIT_PATH = "/etc/systemd/system/slipway-agent.service";
  static final String LAUNCHER_PATH = "/opt/slipway/bin/slipway-agent";
  private static final String LAUNCHER = "\"$SLIPWAY_ROOT\"" + LAUNCHER_PATH;
  private static final String ROOT = "--root \"${SLIPWAY_ROOT:-/}\"";
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What {@code slipway-agent status} said; {@code installed} is false before the bundle is shipped. */
  public record Status(boolean installed, boolean agentRunning, boolean etcdRunning) {}

  private final HostTransport transport;
  private final boolean systemd;

  public AgentControl(HostTransport transport, boolean systemd) {
    this.transport = transport;
    this.systemd = systemd;
  }

  /** The agent of a host of this run: systemd only on SSH hosts whose facts say PID 1 is systemd. */
  public static AgentControl of(Host host, ClusterContext context) {
    boolean systemd = host.access() instanceof HostAccess.Ssh
        && context.facts(host).map(f -> f.initSystem() == HostFacts.InitSystem.SYSTEMD).orElse(false);
    return new AgentControl(context.connection(host), systemd);
  }

  /** For commands that gathered no facts: asks the host whether PID 1 is systemd. */
  public static AgentControl detect(Host host, HostTransport transport) {
    boolean systemd = host.access() instanceof HostAccess.Ssh
        && transport.run("test \"$(cat /proc/1/comm 2>/dev/null)\" = systemd").succeeded();
    return new AgentControl(transport, systemd);
  }

  public boolean systemd() {
    return systemd;
  }

  public Status status() {
    var result = transport.run("if [ -x " + LAUNCHER + " ]; then " + LAUNCHER + " status " + ROOT + "; else echo not-installed; fi",
        RunOptions.defaults().withTimeout(TIMEOUT)).orThrow();
    var out = result.stdout();
    if (out.strip().equals("not-installed")) {
      return new Status(false, false, false);
    }
    int start = out.indexOf('{');
    if (start < 0) {
      throw new IllegalStateException(transport.hostName() + ": slipway-agent status printed no JSON: " + out.strip());
    }
    JsonNode doc = JSON.readTree(out.substring(start));
    return new Status(true, !doc.path("agentPid").isNull() && !doc.path("agentPid").isMissingNode(),
        !doc.path("etcdPid").isNull() && !doc.path("etcdPid").isMissingNode());
  }

  public void start() {
    if (systemd) {
      run("systemctl daemon-reload && systemctl enable --quiet slipway-agent.service && systemctl start slipway-agent.service");
    } else {
      run(LAUNCHER + " daemon " + ROOT);
    }
  }

  /** Stops the agent and its etcd member; nothing running is fine. */
  public void stop() {
    if (systemd) {
      run("systemctl stop slipway-agent.service || true");
    }
    run("if [ -x " + LAUNCHER + " ]; then " + LAUNCHER + " stop " + ROOT + "; fi");
  }

  public void restart() {
    stop();
    start();
  }

  private void run(String command) {
    transport.run(command, RunOptions.defaults().withTimeout(TIMEOUT)).orThrow();
  }
}
