package dev.slipway.provisioner.inventory;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Optional;

/** An IPv4 or IPv6 network such as {@code 10.244.0.0/16}. */
public record Cidr(InetAddress base, int prefixLength) {

  static Optional<Cidr> parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    var address = IpAddresses.parseLiteral(text.substring(0, slash));
    if (address.isEmpty()) {
      return Optional.empty();
    }
    int bits = address.get().getAddress().length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (prefix < 0 || prefix > bits) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(address.get(), prefix));
  }

  /** True when the two networks share at least one address. */
  public boolean overlaps(Cidr other) {
    if (base.getAddress().length != other.base.getAddress().length) {
      return false;
    }
    int shorter = Math.min(prefixLength, other.prefixLength);
    return network(base, shorter).equals(network(other.base, shorter));
  }

  private static BigInteger network(InetAddress address, int prefix) {
    int bits = address.getAddress().length * 8;
    var value = new BigInteger(1, address.getAddress());
    return prefix == 0 ? BigInteger.ZERO : value.shiftRight(bits - prefix);
  }

  @Override
  public String toString() {
    return base.getHostAddress() + "/" + prefixLength;
  }
}
