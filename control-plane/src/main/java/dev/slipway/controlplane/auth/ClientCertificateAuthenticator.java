package dev.slipway.controlplane.auth;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A client certificate whose chain TLS has already verified against the cluster CA names its user:
 * the subject's CN is the user name, each O a group.
 */
final class ClientCertificateAuthenticator implements Authenticator {

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        if (credentials.clientChain().isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = credentials.clientChain().getFirst();
        String commonName = "";
        List<String> organizations = new ArrayList<>();
        for (Rdn rdn : subjectOf(leaf)) {
            String value = String.valueOf(rdn.getValue());
            switch (rdn.getType().toUpperCase(java.util.Locale.ROOT)) {
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
