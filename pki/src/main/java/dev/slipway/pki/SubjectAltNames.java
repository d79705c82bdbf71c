package dev.slipway.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.util.IPAddress;

/**
 * The DNS names and IP addresses a certificate is valid for, in a canonical form (lower-case names,
 * IP addresses as {@link InetAddress#getHostAddress()} prints them) so that sets compare reliably.
 */
public record SubjectAltNames(List<String> dnsNames, List<String> ipAddresses) {

    public static final SubjectAltNames NONE = new SubjectAltNames(List.of(), List.of());

    public SubjectAltNames {
        dnsNames = List.copyOf(new LinkedHashSet<>(dnsNames));
        ipAddresses = List.copyOf(new LinkedHashSet<>(ipAddresses));
    }

    /** Sorts each entry into a DNS name or an IP address by its form; no name is ever looked up. */
    public static SubjectAltNames of(Collection<String> entries) {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (String entry : entries) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("empty subject alternative name");
            }
            if (isIpLiteral(trimmed)) {
                addresses.add(canonicalIp(trimmed));
            } else {
                names.add(trimmed.toLowerCase(Locale.ROOT));
            }
        }
        return new SubjectAltNames(names, addresses);
    }

    public static boolean isIpLiteral(String value) {
        String bare = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        return IPAddress.isValidIPv4(bare) || IPAddress.isValidIPv6(bare);
    }

    static String canonicalIp(String literal) {
        String bare = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
        try {
            return InetAddress.getByName(bare).getHostAddress(); // a literal: parsed, never resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    /** Every entry, names first, as one list (for tables and messages). */
    public List<String> all() {
        List<String> all = new ArrayList<>(dnsNames);
        all.addAll(ipAddresses);
        return List.copyOf(all);
    }

    public boolean isEmpty() {
        return dnsNames.isEmpty() && ipAddresses.isEmpty();
    }

    /** The entries of this set that {@code actual} lacks. */
    public SubjectAltNames missingFrom(SubjectAltNames actual) {
        Set<String> names = new LinkedHashSet<>(dnsNames);
        names.removeAll(actual.dnsNames);
        Set<String> addresses = new LinkedHashSet<>(ipAddresses);
        addresses.removeAll(actual.ipAddresses);
        return new SubjectAltNames(List.copyOf(names), List.copyOf(addresses));
    }

    @Override
    public String toString() {
        return String.join(", ", all());
    }
}
