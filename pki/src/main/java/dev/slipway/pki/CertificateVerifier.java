package dev.slipway.pki;

import dev.slipway.pki.PkiReport.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** The checks of one certificate against its catalogue entry; each failed check is one finding. */
record CertificateVerifier(Instant now, Duration expiryThreshold) {

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    List<Finding> verifyAuthority(Path certificateFile, X509Certificate certificate, Path keyFile, PrivateKey key) {
        List<Finding> findings = new ArrayList<>();
        keyMatches(certificateFile, certificate, keyFile, key, findings);
        if (certificate.getBasicConstraints() < 0 || !KeyUsage.KEY_CERT_SIGN.isSetIn(certificate.getKeyUsage())) {
            findings.add(new Finding(Check.WRONG_USAGE, certificateFile,
                    "is not a CA certificate (basic constraints CA:TRUE and key usage keyCertSign are needed)"));
        }
        if (!signedBy(certificate, certificate)) {
            findings.add(new Finding(Check.WRONG_ISSUER, certificateFile,
                    "is not self-signed (issuer " + certificate.getIssuerX500Principal().getName()
                            + "); Slipway's CAs are root CAs"));
        }
        validity(certificateFile, certificate, findings);
        keyMode(keyFile, findings);
        return findings;
    }

    List<Finding> verifyLeaf(CertificateSpec spec, Path certificateFile, X509Certificate certificate, Path keyFile,
                             PrivateKey key, X509Certificate caCertificate) {
        List<Finding> findings = new ArrayList<>();
        keyMatches(certificateFile, certificate, keyFile, key, findings);
        if (!signedBy(certificate, caCertificate)) {
            findings.add(new Finding(Check.WRONG_ISSUER, certificateFile,
                    "is signed by " + certificate.getIssuerX500Principal().getName() + ", not by CA "
                            + spec.signerName() + " (" + caCertificate.getSubjectX500Principal().getName() + ")"));
        }
        subject(spec, certificateFile, certificate, findings);
        SubjectAltNames missing = spec.subjectAltNames().missingFrom(CertificateRecord.subjectAltNamesOf(certificate));
        if (!missing.isEmpty()) {
            findings.add(new Finding(Check.MISSING_SAN, certificateFile,
                    "lacks subject alternative names " + missing + " that the catalogue computes"));
        }
        usages(spec, certificateFile, certificate, findings);
        validity(certificateFile, certificate, findings);
        keyMode(keyFile, findings);
        return findings;
    }

    void keyMode(Path keyFile, List<Finding> findings) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
            if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                findings.add(new Finding(Check.INSECURE_KEY_MODE, keyFile,
                        "private key is readable beyond its owner (mode " + PosixFilePermissions.toString(mode)
                                + "); run chmod 600 on it"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            findings.add(new Finding(Check.UNREADABLE, keyFile, "cannot read the file mode: " + e.getMessage()));
        }
    }

    private void keyMatches(Path certificateFile, X509Certificate certificate, Path keyFile, PrivateKey key,
                            List<Finding> findings) {
        if (!KeyPairs.matches(key, certificate.getPublicKey())) {
            findings.add(new Finding(Check.KEY_MISMATCH, keyFile, "is not the private key of " + certificateFile));
        }
    }

    private void validity(Path file, X509Certificate certificate, List<Finding> findings) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        if (!notAfter.isAfter(now)) {
            findings.add(new Finding(Check.EXPIRING, file, "expired on " + notAfter.truncatedTo(ChronoUnit.SECONDS)));
        } else if (!notAfter.isAfter(now.plus(expiryThreshold))) {
            findings.add(new Finding(Check.EXPIRING, file, "expires on " + notAfter.truncatedTo(ChronoUnit.SECONDS)
                    + ", in " + Duration.between(now, notAfter).toDays() + " days (threshold "
                    + expiryThreshold.toDays() + " days)"));
        }
        if (notBefore.isAfter(now)) {
            findings.add(new Finding(Check.NOT_YET_VALID, file,
                    "is not valid before " + notBefore.truncatedTo(ChronoUnit.SECONDS) + "; is this machine's clock behind?"));
        }
    }

    private static void subject(CertificateSpec spec, Path file, X509Certificate certificate, List<Finding> findings) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        List<String> commonNames = values(subject, BCStyle.CN);
        List<String> organizations = values(subject, BCStyle.O);
        if (!commonNames.equals(List.of(spec.commonName()))
                || !organizations.stream().sorted().toList().equals(spec.organizations().stream().sorted().toList())) {
            findings.add(new Finding(Check.WRONG_SUBJECT, file, "has subject CN=" + commonNames + " O=" + organizations
                    + ", the catalogue wants CN=" + spec.commonName() + " O=" + spec.organizations()));
        }
    }

    private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (var pair : rdn.getTypesAndValues()) {
                if (pair.getType().equals(type)) {
                    values.add(IETFUtils.valueToString(pair.getValue()));
                }
            }
        }
        return values;
    }

    private static void usages(CertificateSpec spec, Path file, X509Certificate certificate, List<Finding> findings) {
        if (certificate.getBasicConstraints() >= 0) {
            findings.add(new Finding(Check.WRONG_USAGE, file, "is a CA certificate, but a leaf is expected"));
        }
        if (!KeyUsage.DIGITAL_SIGNATURE.isSetIn(certificate.getKeyUsage())) {
            findings.add(new Finding(Check.WRONG_USAGE, file, "lacks key usage digitalSignature"));
        }
        try {
            List<String> present = certificate.getExtendedKeyUsage() == null ? List.of() : certificate.getExtendedKeyUsage();
            List<ExtendedUsage> missing = spec.extendedUsages().stream().sorted()
                    .filter(usage -> !present.contains(usage.oid())).toList();
            if (!missing.isEmpty()) {
                findings.add(new Finding(Check.WRONG_USAGE, file, "lacks extended key usages " + missing));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            findings.add(new Finding(Check.UNREADABLE, file, "extended key usage does not parse: " + e.getMessage()));
        }
    }

    static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
