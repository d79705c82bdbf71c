package dev.slipway.provisioner.cli;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the local-provider component tests need: the agent jar this build made, and stopping the agents they started. */
final class LocalAgents {
  private LocalAgents() {}

  /**
   * Points {@code up} at the agent jar of this build (same {@code -Dbuild.suffix}) and at etcd; skips the test class
   * when either is missing.
   */
  static void assumeAgentAndEtcd() throws URISyntaxException {
    var classes = Path.of(LocalAgents.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    var target = classes.getParent().getFileName().toString();
    var agentJar = Path.of("..", "node-bootstrap", target, "slipway-agent.jar").toAbsolutePath().normalize();
    assumeThat(agentJar).as("the agent jar; build it first: mvn -pl node-bootstrap -am package -DskipTests "
        + "(with the same -Dbuild.suffix)").isRegularFile();
    assumeThat(Path.of("/usr/bin/etcd")).as("etcd (Debian etcd-server)").isExecutable();
    System.setProperty("slipway.agent.jar", agentJar.toString());
    System.setProperty("slipway.home", Path.of("..").toAbsolutePath().normalize().toString());
  }

  /** Stops, all at once, the agent of each host under {@code hostsDir} that {@code up} installed; none when it installed none. */
  static void stop(Path hostsDir, List<String> hosts) throws Exception {
    var stops = new ArrayList<Process>();
    for (var host : hosts) {
      var root = hostsDir.resolve(host);
      var launcher = root.resolve("opt/slipway/bin/slipway-agent");
      if (Files.isExecutable(launcher)) {
        stops.add(new ProcessBuilder(launcher.toString(), "stop", "--root", root.toString()).inheritIO().start());
      }
    }
    for (var stop : stops) {
      stop.waitFor(90, TimeUnit.SECONDS);
    }
  }
}
