package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Carves one {@code /24} per node from the cluster's pod network, in host order. A node keeps the
 * range it was given before (state.json remembers it), so re-running {@code up} or adding a host
 * never moves a node's pods to another range; a new node gets the lowest free range.
 */
public final class PodRanges {
  static final int NODE_PREFIX = 24;

  private PodRanges() {}

  /** The ranges of {@code nodes}, keeping {@code previous} ones that still lie inside {@code network}. */
  public static Map<String, String> carve(Cidr network, List<String> nodes, Map<String, String> previous) {
    if (!(network.base() instanceof Inet4Address)) {
      throw new IllegalArgumentException("spec.network.podCIDR " + network + ": only IPv4 pod networks are supported");
    }
    if (network.prefixLength() > NODE_PREFIX) {
      throw new IllegalArgumentException("spec.network.podCIDR " + network + " is smaller than one /24 per node; use a /16 such as 10.244.0.0/16");
    }
    long first = toLong(network.base()) & mask(network.prefixLength());
    long count = 1L << (NODE_PREFIX - network.prefixLength());
    var ranges = new LinkedHashMap<String, String>();
    var taken = new HashSet<Long>();
    for (String node : nodes) {
      var kept = previous.get(node);
      if (kept != null && inside(kept, first, network.prefixLength())) {
        ranges.put(node, kept);
        taken.add(index(kept, first));
      }
    }
    long next = 0;
    for (String node : nodes) {
      if (ranges.containsKey(node)) {
        continue;
      }
      while (taken.contains(next)) {
        next++;
      }
      if (next >= count) {
        throw new IllegalArgumentException("spec.network.podCIDR " + network + " holds only " + count + " /24 ranges, not enough for "
            + nodes.size() + " nodes; use a larger network such as a /16");
      }
      taken.add(next);
      ranges.put(node, toText(first + (next << 8)) + "/" + NODE_PREFIX);
    }
    var ordered = new LinkedHashMap<String, String>();
    nodes.forEach(n -> ordered.put(n, ranges.get(n)));
    return ordered;
  }

  private static boolean inside(String range, long first, int prefix) {
    int slash = range.indexOf('/');
    if (slash < 0 || !range.substring(slash + 1).equals(String.valueOf(NODE_PREFIX))) {
      return false;
    }
    try {
      long base = toLong(InetAddress.getByName(range.substring(0, slash)));
      return (base & mask(prefix)) == first && (base & 0xFF) == 0;
    } catch (UnknownHostException | IllegalArgumentException e) {
      return false;
    }
  }

  private static long index(String range, long first) {
    try {
      return (toLong(InetAddress.getByName(range.substring(0, range.indexOf('/')))) - first) >> 8;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long mask(int prefix) {
    return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
  }

  private static long toLong(InetAddress address) {
    if (!(address instanceof Inet4Address)) {
      throw new IllegalArgumentException(address + " is not IPv4");
    }
    long value = 0;
    for (byte b : address.getAddress()) {
      value = (value << 8) | (b & 0xFF);
    }
    return value;
  }

  private static String toText(long value) {
    return ((value >> 24) & 0xFF) + "." + ((value >> 16) & 0xFF) + "." + ((value >> 8) & 0xFF) + "." + (value & 0xFF);
  }
}
