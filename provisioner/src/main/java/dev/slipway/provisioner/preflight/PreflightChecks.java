package dev.slipway.provisioner.preflight;

import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.inventory.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The preflight thresholds and how a host's facts measure up to them. Pure: facts in, verdicts out. */
public final class PreflightChecks {
  public static final long MIN_MEMORY_BYTES = 1L << 30;
  public static final long MIN_FREE_DISK_BYTES = 2L << 30;
  public static final int MIN_CPUS = 1;
  public static final double MAX_CLOCK_SKEW_SECONDS = 2.0;
  public static final int MIN_JAVA = 21;
  /** The column order of the preflight table. */
  public static final List<String> NAMES = List.of("CPUS", "MEMORY", "DISK", "CLOCK", "PORTS", "TOOLS", "JAVA");

  private PreflightChecks() {}

  public static List<HostCheck> check(Host host, HostFacts facts) {
    return List.of(cpus(facts), memory(facts), disk(facts), clock(facts), ports(host, facts), tools(facts), java(facts));
  }

  static HostCheck cpus(HostFacts facts) {
    return facts.cpus() >= MIN_CPUS ? HostCheck.ok("CPUS", facts.cpus() + " online")
        : HostCheck.fail("CPUS", "no online CPU reported", "check that /proc is mounted and getconf works on the host");
  }

  static HostCheck memory(HostFacts facts) {
    var detail = gib(facts.memoryBytes()) + " total";
    return facts.memoryBytes() >= MIN_MEMORY_BYTES ? HostCheck.ok("MEMORY", detail)
        : HostCheck.fail("MEMORY", detail, "give the host at least 1 GiB of memory");
  }

  static HostCheck disk(HostFacts facts) {
    var detail = gib(facts.freeDiskBytes()) + " free under " + facts.diskPath();
    return facts.freeDiskBytes() >= MIN_FREE_DISK_BYTES ? HostCheck.ok("DISK", detail)
        : HostCheck.fail("DISK", detail, "free at least 2 GiB in the file system of " + facts.diskPath()
            + " (Slipway keeps etcd data, images and pods under /var/lib/slipway)");
  }

  static HostCheck clock(HostFacts facts) {
    double skew = facts.clockSkew().toNanos() / 1e9;
    var detail = String.format(Locale.ROOT, "%+.3fs from this machine", skew);
    return Math.abs(skew) <= MAX_CLOCK_SKEW_SECONDS ? HostCheck.ok("CLOCK", detail)
        : HostCheck.fail("CLOCK", detail, "synchronise the host's clock (e.g. enable chrony or systemd-timesyncd);"
            + " certificates and etcd leases need clocks within 2s");
  }

  /** A watched port bound on the host's address or on every address is taken, unless Slipway holds it. */
  static HostCheck ports(Host host, HostFacts facts) {
    var taken = facts.listening().stream()
        .filter(s -> s.wildcard() || s.address().equals(host.address()))
        .map(s -> s.port()).distinct().sorted().toList();
    if (taken.isEmpty()) {
      return HostCheck.ok("PORTS", "6443, 2379, 2380, 10250 free");
    }
    var list = taken.stream().map(String::valueOf).collect(Collectors.joining(", "));
    if (facts.slipwayRunning()) {
      return HostCheck.ok("PORTS", list + " in use by slipway");
    }
    return HostCheck.fail("PORTS", list + " in use", "stop what listens on " + list + " on " + host.address()
        + " (see `ss -tlnp`); Slipway needs 6443 (API server), 2379/2380 (etcd) and 10250 (agent)");
  }

  static HostCheck tools(HostFacts facts) {
    var missing = new ArrayList<String>();
    for (var tool : List.of("sh", "sha256sum", "tar")) {
      if (!facts.tools().containsKey(tool)) {
        missing.add(tool);
      }
    }
    if (!facts.tools().containsKey("ss") && !facts.procNetTcp()) {
      missing.add("ss (or a readable /proc/net/tcp)");
    }
    return missing.isEmpty() ? HostCheck.ok("TOOLS", "sh, sha256sum, tar, " + (facts.tools().containsKey("ss") ? "ss" : "/proc/net/tcp"))
        : HostCheck.fail("TOOLS", "missing " + String.join(", ", missing),
            "install " + String.join(", ", missing) + " (Debian: apt-get install coreutils tar iproute2)");
  }

  static HostCheck java(HostFacts facts) {
    var found = facts.javaAtLeast(MIN_JAVA);
    if (found.isPresent()) {
      return HostCheck.ok("JAVA", "Java " + found.get().featureVersion() + " at " + found.get().path());
    }
    var others = facts.javaRuntimes().isEmpty() ? "no Java runtime"
        : "only Java " + facts.javaRuntimes().stream().map(j -> String.valueOf(j.featureVersion())).distinct()
            .collect(Collectors.joining(", "));
    return HostCheck.fail("JAVA", others, "install a Java runtime 21 or newer for the slipway agent"
        + " (Debian: apt-get install openjdk-21-jre-headless, or set JAVA_HOME)");
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
