package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.EtcdSpec;
import dev.slipway.provisioner.inventory.Inventory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The files every machine runs, on this machine: the agent jar, its launcher script, the systemd
 * unit, and (for etcd members) the etcd binary. The agent jar and templates come from the Slipway
 * home ({@code -Dslipway.home}, set by {@code bin/slipway}); {@code -Dslipway.agent.jar} or
 * {@code SLIPWAY_AGENT_JAR} overrides the jar.
 * The etcd binary is the inventory's {@code spec.etcd.binary}, else the {@code etcd} on this
 * machine's PATH, else {@code spec.etcd.download} fetched into the {@link ArtifactCache}.
 */
public record NodeBundle(Path agentJar, Path launcher, Path systemdUnit, Path etcdBinary) {
  private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

  public static NodeBundle locate(Inventory inventory) {
    var home = Path.of(System.getProperty("slipway.home", ".")).toAbsolutePath().normalize();
    var jar = Optional.ofNullable(System.getProperty("slipway.agent.jar", System.getenv("SLIPWAY_AGENT_JAR")))
        .filter(s -> !s.isBlank()).map(Path::of)
        .orElse(home.resolve("node-bootstrap/target/slipway-agent.jar"));
    var etcd = etcdBinary(inventory, () -> onPath("etcd"), ArtifactCache.inUserHome(System.err::println));
    return new NodeBundle(jar, home.resolve("templates/slipway-agent"), home.resolve("templates/slipway-agent.service"), etcd)
        .checked();
  }

  /** spec.etcd.binary if set; else etcd on PATH; else the download, which must be an ELF binary. */
  static Path etcdBinary(Inventory inventory, Supplier<Optional<Path>> onPath, ArtifactCache cache) {
    return switch (inventory.etcd().binary()) {
      case EtcdSpec.EtcdBinary.File file -> file.path();
      case EtcdSpec.EtcdBinary.OnPath none -> onPath.get().orElseThrow(() -> new IllegalStateException(
          "no etcd binary: neither spec.etcd.binary nor spec.etcd.download is set in " + inventory.file()
              + " and there is no etcd on PATH"));
      case EtcdSpec.EtcdBinary.OnPathElseDownload download -> onPath.get()
          .orElseGet(() -> plainBinary(cache.fetch(download.url(), download.sha256()), download));
    };
  }

  /** Only a plain binary: no tar reader is on the classpath, so release archives are refused by their magic. */
  private static Path plainBinary(Path file, EtcdSpec.EtcdBinary.OnPathElseDownload download) {
    byte[] magic;
    try (var in = Files.newInputStream(file)) {
      magic = in.readNBytes(4);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (downloaded from " + download.url() + ")", e);
    }
    if (Arrays.equals(magic, ELF_MAGIC)) {
      return file;
    }
    if (magic.length >= 2 && magic[0] == (byte) 0x1f && magic[1] == (byte) 0x8b) {
      throw new IllegalStateException("spec.etcd.download: " + download.url() + " is a gzip (.tar.gz) archive;"
          + " Slipway takes only the plain etcd binary here (archives are not supported); point url at the etcd"
          + " binary itself, or unpack the release and set spec.etcd.binary");
    }
    throw new IllegalStateException("spec.etcd.download: " + download.url() + " is not an ELF executable"
        + " (first bytes " + HexFormat.of().formatHex(magic) + "); expected the plain etcd binary");
  }

  /** Every file exists and is readable, or the message says which one is missing and how to get it. */
  public NodeBundle checked() {
    require(agentJar, "the agent jar; build it with `mvn -pl node-bootstrap -am package -DskipTests` or set SLIPWAY_AGENT_JAR");
    require(launcher, "the agent launcher script (templates/slipway-agent of the Slipway home)");
    require(systemdUnit, "the agent's systemd unit (templates/slipway-agent.service of the Slipway home)");
    require(etcdBinary, "the etcd binary (spec.etcd.binary, etcd on PATH, or spec.etcd.download)");
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
