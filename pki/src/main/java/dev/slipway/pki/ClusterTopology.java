package dev.slipway.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the certificate catalogue needs to know about a cluster: its machines, its service network
 * and how keys are made. The provisioner builds it from the inventory.
 *
 * @param serviceCidr the service network, e.g. {@code 10.96.0.0/16}; its first usable address is the
 *                    {@code kubernetes} service IP
 */
public record ClusterTopology(
        String clusterName,
        List<Member> masters,
        List<Member> etcdMembers,
        String serviceCidr,
        String clusterDomain,
        List<String> extraApiServerSans,
        KeyAlgorithm keyAlgorithm,
        Duration caValidity,
        Duration leafValidity) {

    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofHours(87_600);
    public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofHours(8_760);

    /** A machine as certificates see it: its name and its address (an IP or a DNS name). */
    public record Member(String name, String address) {
        public Member {
            requireText(name, "member name");
            requireText(address, "address of member " + name);
        }
    }

    public ClusterTopology {
        requireText(clusterName, "cluster name");
        masters = List.copyOf(masters);
        etcdMembers = List.copyOf(etcdMembers);
        requireText(clusterDomain, "cluster domain");
        extraApiServerSans = List.copyOf(extraApiServerSans);
        Objects.requireNonNull(keyAlgorithm, "key algorithm");
        requirePositive(caValidity, "CA validity");
        requirePositive(leafValidity, "leaf validity");
        firstServiceIp(serviceCidr); // fails early on a bad CIDR
    }

    /** A topology with the inventory's defaults for everything but the machines. */
    public static ClusterTopology withDefaults(String clusterName, List<Member> masters, List<Member> etcdMembers) {
        return new ClusterTopology(clusterName, masters, etcdMembers, "10.96.0.0/16", "cluster.local", List.of(),
                KeyAlgorithm.ECDSA_P256, DEFAULT_CA_VALIDITY, DEFAULT_LEAF_VALIDITY);
    }

    public ClusterTopology withMasters(List<Member> newMasters) {
        return new ClusterTopology(clusterName, newMasters, etcdMembers, serviceCidr, clusterDomain,
                extraApiServerSans, keyAlgorithm, caValidity, leafValidity);
    }

    public ClusterTopology withKeyAlgorithm(KeyAlgorithm algorithm) {
        return new ClusterTopology(clusterName, masters, etcdMembers, serviceCidr, clusterDomain,
                extraApiServerSans, algorithm, caValidity, leafValidity);
    }

    public ClusterTopology withValidities(Duration ca, Duration leaf) {
        return new ClusterTopology(clusterName, masters, etcdMembers, serviceCidr, clusterDomain,
                extraApiServerSans, keyAlgorithm, ca, leaf);
    }

    public ClusterTopology withExtraApiServerSans(List<String> sans) {
        return new ClusterTopology(clusterName, masters, etcdMembers, serviceCidr, clusterDomain,
                sans, keyAlgorithm, caValidity, leafValidity);
    }

    /** The {@code kubernetes} service IP: the first usable address of the service CIDR (10.96.0.1 for 10.96.0.0/16). */
    public String kubernetesServiceIp() {
        return firstServiceIp(serviceCidr);
    }

    private static String firstServiceIp(String cidr) {
        Objects.requireNonNull(cidr, "service CIDR");
        int slash = cidr.indexOf('/');
        if (slash < 0 || !SubjectAltNames.isIpLiteral(cidr.substring(0, slash))) {
            throw new IllegalArgumentException("service CIDR '" + cidr + "' is not of the form ADDRESS/PREFIX");
        }
        try {
            byte[] address = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            int bits = address.length * 8;
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix >= bits - 1) {
                throw new IllegalArgumentException("service CIDR '" + cidr + "' has prefix " + prefix
                        + ": it must leave room for at least two addresses (0.." + (bits - 2) + ")");
            }
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(prefix).not();
            BigInteger network = new BigInteger(1, address).and(mask);
            byte[] raw = network.add(BigInteger.ONE).toByteArray();
            byte[] first = new byte[address.length];
            int copy = Math.min(raw.length, first.length);
            System.arraycopy(raw, raw.length - copy, first, first.length - copy, copy);
            return InetAddress.getByAddress(first).getHostAddress();
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("service CIDR '" + cidr + "' does not parse: " + e.getMessage(), e);
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }

    private static void requirePositive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be a positive duration, not " + duration);
        }
    }
}
