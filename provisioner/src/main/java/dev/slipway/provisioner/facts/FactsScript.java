package dev.slipway.provisioner.facts;

import dev.slipway.provisioner.facts.HostFacts.InitSystem;
import dev.slipway.provisioner.facts.HostFacts.JavaRuntime;
import dev.slipway.provisioner.facts.HostFacts.ListeningSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one shell script that gathers a host's facts, and the parser of its {@code key=value}
 * output. The script only reads; it works under plain POSIX sh and busybox.
 */
public final class FactsScript {
  /** The command that samples the host clock; run separately so the round trip stays short. */
  public static final String CLOCK_COMMAND = "date +%s.%N";

  private static final String TEXT = load();

  private FactsScript() {}

  public static String text() {
    return TEXT;
  }

  private static String load() {
    try (InputStream in = FactsScript.class.getResourceAsStream("gather-facts.sh")) {
      if (in == null) {
        throw new IllegalStateException("gather-facts.sh is missing from the CLI's resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The host's clock minus ours, from a remote {@code date +%s.%N} taken between two local
   * readings: the remote reading is taken as happening half-way through the round trip.
   */
  public static Duration clockSkew(String remoteDateOutput, long localBeforeNanos, long localAfterNanos) {
    var text = remoteDateOutput.strip();
    var remoteNanos = parseEpochSeconds(text)
        .orElseThrow(() -> new IllegalArgumentException("cannot read the host's clock from \"" + text + "\""));
    long localMid = localBeforeNanos + (localAfterNanos - localBeforeNanos) / 2;
    return Duration.ofNanos(remoteNanos - localMid);
  }

  /** Epoch seconds with an optional fraction ("1700000000.123456789"; busybox prints "1700000000.N"). */
  static Optional<Long> parseEpochSeconds(String text) {
    var parts = text.split("\\.", 2);
    try {
      long seconds = Long.parseLong(parts[0]);
      long nanos = 0;
      if (parts.length == 2 && parts[1].matches("\\d{1,9}")) {
        nanos = Long.parseLong((parts[1] + "000000000").substring(0, 9));
      }
      return Optional.of(seconds * 1_000_000_000L + nanos);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Reads the script's output; unknown keys are ignored so the script can grow. */
  public static HostFacts parse(String output, Duration clockSkew) {
    Map<String, String> single = new LinkedHashMap<>();
    var listening = new ArrayList<ListeningSocket>();
    var java = new ArrayList<JavaRuntime>();
    var tools = new LinkedHashMap<String, String>();
    for (var line : output.split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      var key = line.substring(0, eq);
      var value = line.substring(eq + 1).strip();
      switch (key) {
        case "listen" -> ssListening(value).ifPresent(listening::add);
        case "proc_listen" -> procListening(value).ifPresent(listening::add);
        case "java" -> javaRuntime(value).ifPresent(java::add);
        default -> {
          if (key.startsWith("tool_")) {
            tools.put(key.substring(5), value);
          } else {
            single.putIfAbsent(key, value);
          }
        }
      }
    }
    var watched = listening.stream().filter(s -> HostFacts.WATCHED_PORTS.contains(s.port())).distinct().toList();
    java.sort(Comparator.comparingInt(JavaRuntime::featureVersion).reversed());
    return new HostFacts(
        single.getOrDefault("os", "unknown"), single.getOrDefault("os_id", "unknown"),
        single.getOrDefault("arch", "unknown"), single.getOrDefault("kernel", "unknown"),
        (int) number(single.get("cpus")), number(single.get("mem_kib")) * 1024,
        number(single.get("disk_free_kib")) * 1024, single.getOrDefault("disk_path", "?"),
        "systemd".equals(single.get("init")) ? InitSystem.SYSTEMD : InitSystem.NONE,
        clockSkew, watched, "yes".equals(single.get("slipway_running")), tools,
        "yes".equals(single.get("proc_net_tcp")), java.stream().distinct().toList());
  }

  private static long number(String text) {
    if (text == null) {
      return 0;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A local address column of {@code ss -Htln}: "0.0.0.0:22", "[::]:6443", "*:10250", "127.0.0.1%lo:53". */
  static Optional<ListeningSocket> ssListening(String local) {
    int colon = local.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    var address = local.substring(0, colon);
    int percent = address.indexOf('%');
    if (percent > 0) {
      address = address.substring(0, percent);
    }
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    if (address.toLowerCase(Locale.ROOT).startsWith("::ffff:") && address.contains(".")) {
      address = address.substring(7); // an IPv4 address on a dual-stack socket, as Java servers bind
    }
    try {
      return Optional.of(new ListeningSocket(address, Integer.parseInt(local.substring(colon + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A local_address of /proc/net/tcp or tcp6 in LISTEN state: "0100007F:0929" (little-endian words). */
  static Optional<ListeningSocket> procListening(String hex) {
    var parts = hex.split(":");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(parts[1], 16);
      var addressHex = parts[0];
      String address;
      if (addressHex.length() == 8) {
        long v = Long.parseLong(addressHex, 16);
        address = (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
      } else if (addressHex.length() == 32) {
        address = addressHex.equals("0".repeat(32)) ? "::" : ipv6(addressHex);
      } else {
        return Optional.empty();
      }
      return Optional.of(new ListeningSocket(address, port));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String ipv6(String hex) {
    var bytes = new byte[16];
    for (int word = 0; word < 4; word++) {
      for (int b = 0; b < 4; b++) {
        int at = word * 8 + (3 - b) * 2; // each 32-bit word is printed in host (little-endian) order
        bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return "?";
    }
  }

  /** "PATH VERSION" where VERSION is e.g. 21.0.4, 17, 1.8.0_392. */
  static Optional<JavaRuntime> javaRuntime(String value) {
    int space = value.lastIndexOf(' ');
    if (space <= 0) {
      return Optional.empty();
    }
    var version = value.substring(space + 1).replace("\"", "");
    var parts = version.split("[._+-]");
    try {
      int feature = Integer.parseInt(parts[0]);
      if (feature == 1 && parts.length > 1) {
        feature = Integer.parseInt(parts[1]); // 1.8 is Java 8
      }
      return Optional.of(new JavaRuntime(value.substring(0, space), feature));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
