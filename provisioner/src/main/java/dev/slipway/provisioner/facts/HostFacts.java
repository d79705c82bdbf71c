package dev.slipway.provisioner.facts;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one host turned out to be when Slipway looked. Lives beside the inventory's host entry,
 * never in the inventory file.
 *
 * @param os             the PRETTY_NAME of /etc/os-release, or "unknown"
 * @param osId           ID of /etc/os-release ("debian"), or "unknown"
 * @param arch           {@code uname -m}
 * @param kernel         {@code uname -r}
 * @param cpus           online CPUs
 * @param memoryBytes    MemTotal
 * @param freeDiskBytes  free space in the file system that holds the slipway data path
 * @param diskPath       the existing folder whose file system was measured
 * @param initSystem     systemd when PID 1 is systemd, else the agent runs in its own daemon mode
 * @param clockSkew      host clock minus this machine's clock
 * @param listening      TCP listening sockets among {@link #WATCHED_PORTS}
 * @param slipwayRunning whether the slipway agent's pid file names a live process
 * @param tools          required tools found, by name (sh, sha256sum, tar, ss), with their path
 * @param procNetTcp     whether /proc/net/tcp can be read (the fallback when ss is missing)
 * @param javaRuntimes   Java runtimes found, newest first
 */
public record HostFacts(String os, String osId, String arch, String kernel, int cpus, long memoryBytes,
                        long freeDiskBytes, String diskPath, InitSystem initSystem, Duration clockSkew,
                        List<ListeningSocket> listening, boolean slipwayRunning, Map<String, String> tools,
                        boolean procNetTcp, List<JavaRuntime> javaRuntimes) {

  /** API server, etcd client, etcd peer, agent. */
  public static final List<Integer> WATCHED_PORTS = List.of(6443, 2379, 2380, 10250);

  public HostFacts {
    listening = List.copyOf(listening);
    tools = Map.copyOf(tools);
    javaRuntimes = List.copyOf(javaRuntimes);
  }

  public enum InitSystem {
    SYSTEMD, NONE;

    public String word() {
      return name().toLowerCase();
    }
  }

  /** A TCP socket in LISTEN state. {@code address} is as printed by ss ("*", "0.0.0.0", "[::]", "10.0.0.1"). */
  public record ListeningSocket(String address, int port) {
    /** Bound to every address of the host. */
    public boolean wildcard() {
      return address.equals("*") || address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }
  }

  /** A Java installation: its java binary and feature version (21 for 21.0.4). */
  public record JavaRuntime(String path, int featureVersion) {}

  /** The newest Java runtime at or above {@code minimum}. */
  public Optional<JavaRuntime> javaAtLeast(int minimum) {
    return javaRuntimes.stream().filter(j -> j.featureVersion() >= minimum).findFirst();
  }
}
