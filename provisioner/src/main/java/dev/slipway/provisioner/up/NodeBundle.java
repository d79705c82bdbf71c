package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.EtcdSpec;
import dev.slipway.provisioner.inventory.Inventory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The files every machine runs, on this machine: the agent jar, its launcher script, the systemd
 * unit, and (for etcd members) the etcd binary. The agent jar and templates come from the Slipway
 * home ({@code -Dslipway.home}, set by {@code bin/slipway}); {@code -Dslipway.agent.jar} or
 * {@code SLIPWAY_AGENT_JAR} overrides the jar.
 * Downloading etcd by URL and sha256 into an artifact cache is not supported yet: the binary is the
 * inventory's {@code spec.etcd.binary} or the {@code etcd} on this machine's PATH.
 */
public record NodeBundle(Path agentJar, Path launcher, Path systemdUnit, Path etcdBinary) {

  public static NodeBundle locate(Inventory inventory) {
    var home = Path.of(System.getProperty("slipway.home", ".")).toAbsolutePath().normalize();
    var jar = Optional.ofNullable(System.getProperty("slipway.agent.jar", System.getenv("SLIPWAY_AGENT_JAR")))
        .filter(s -> !s.isBlank()).map(Path::of)
        .orElse(home.resolve("node-bootstrap/target/slipway-agent.jar"));
    var etcd = switch (inventory.etcd().binary()) {
      case EtcdSpec.EtcdBinary.File file -> file.path();
      case EtcdSpec.EtcdBinary.OnPath onPath -> onPath("etcd").orElseThrow(() -> new IllegalStateException(
          "no etcd binary: spec.etcd.binary is not set in " + inventory.file() + " and there is no etcd on PATH"));
    };
    return new NodeBundle(jar, home.resolve("templates/slipway-agent"), home.resolve("templates/slipway-agent.service"), etcd)
        .checked();
  }

  /** Every file exists and is readable, or the message says which one is missing and how to get it. */
  public NodeBundle checked() {
    require(agentJar, "the agent jar; build it with `mvn -pl node-bootstrap -am package -DskipTests` or set SLIPWAY_AGENT_JAR");
    require(launcher, "the agent launcher script (templates/slipway-agent of the Slipway home)");
    require(systemdUnit, "the agent's systemd unit (templates/slipway-agent.service of the Slipway home)");
    require(etcdBinary, "the etcd binary (spec.etcd.binary)");
    return this;
  }

  private static void require(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalStateException("missing " + file + ": " + what);
    }
  }

  static Optional<Path> onPath(String program) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
        .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
  }
}
