package dev.slipway.controlplane.auth;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A client certificate whose chain TLS has already verified against the cluster CA names its user:
 * the subject's CN is the user name, each O a group. A client sends the same certificate with every
 * request, so the user read from it is remembered (bounded) instead of parsing the subject each time.
 */
final class ClientCertificateAuthenticator implements Authenticator {

    private static final int REMEMBERED = 1024;

    private final Map<X509Certificate, UserInfo> users = new ConcurrentHashMap<>();

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        if (credentials.clientChain().isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = credentials.clientChain().getFirst();
        UserInfo known = users.get(leaf);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<UserInfo> user = userOf(leaf);
        if (user.isPresent()) {
            if (users.size() >= REMEMBERED) {
                users.clear(); // a crude bound: many distinct certificates at once is rare, parsing again is cheap
            }
            users.put(leaf, user.get());
        }
        return user;
    }

    private static Optional<UserInfo> userOf(X509Certificate leaf) {
        String commonName = "";
        List<String> organizations = new ArrayList<>();
        for (Rdn rdn : subjectOf(leaf)) {
            String value = String.valueOf(rdn.getValue());
            switch (rdn.getType().toUpperCase(Locale.ROOT)) {
                case "CN" -> commonName = value;
                case "O" -> organizations.add(value);
                default -> { }
            }
        }
        if (commonName.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(UserInfo.of(commonName, organizations));
    }

    private static List<Rdn> subjectOf(X509Certificate certificate) {
        try {
            // LdapName lists RDNs from the last to the first; the order of O values should follow the subject.
            List<Rdn> rdns = new ArrayList<>(new LdapName(certificate.getSubjectX500Principal().getName()).getRdns());
            return rdns.reversed();
        } catch (InvalidNameException e) {
            return List.of();
        }
    }
}
