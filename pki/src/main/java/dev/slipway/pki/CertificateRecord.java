package dev.slipway.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * What a person checks about one certificate: who it is for, who signed it, where it is valid and
 * until when. Made from files or from what a server presents in a TLS handshake.
 *
 * @param daysLeft whole days until notAfter (negative once expired)
 * @param sha256Fingerprint upper-case hex pairs joined by colons, as {@code openssl x509 -fingerprint -sha256} prints
 */
public record CertificateRecord(String name, String subject, String issuer, List<String> subjectAltNames,
                                Instant notBefore, Instant notAfter, long daysLeft, String sha256Fingerprint) {

    public CertificateRecord {
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    public static CertificateRecord of(String name, X509Certificate certificate, Instant now) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        return new CertificateRecord(name,
                certificate.getSubjectX500Principal().getName(),
                certificate.getIssuerX500Principal().getName(),
                subjectAltNamesOf(certificate).all(),
                certificate.getNotBefore().toInstant(),
                notAfter,
                Duration.between(now, notAfter).toDays(),
                fingerprint(certificate));
    }

    public boolean expiresWithin(Duration threshold, Instant now) {
        return !notAfter.isAfter(now.plus(threshold));
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new PkiException("cannot fingerprint " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }

    static SubjectAltNames subjectAltNamesOf(X509Certificate certificate) {
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries == null) {
                return SubjectAltNames.NONE;
            }
            List<String> values = new ArrayList<>();
            for (List<?> entry : entries) {
                int type = (Integer) entry.get(0);
                if (type == 2 || type == 7) { // dNSName, iPAddress
                    values.add((String) entry.get(1));
                }
            }
            return SubjectAltNames.of(values);
        } catch (CertificateParsingException e) {
            throw new PkiException("cannot read the SANs of " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }
}
