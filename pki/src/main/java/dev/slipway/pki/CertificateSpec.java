package dev.slipway.pki;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of the certificate catalogue: everything needed to issue, verify, list or renew one
 * certificate. Files live at {@code <pki>/<baseName>.crt} and {@code <pki>/<baseName>.key}.
 *
 * @param name           the name shown in tables and messages, e.g. {@code etcd-server-m1}
 * @param baseName       the path of the files relative to the PKI folder, without extension, e.g. {@code etcd/server-m1}
 * @param issuer         who signs it: itself (a CA) or a CA of the catalogue, by name
 * @param organizations  subject O values, in order
 * @param keyUsages      key usage bits (the key's algorithm decides key encipherment for leaves)
 */
public record CertificateSpec(
        String name,
        String baseName,
        Issuer issuer,
        String commonName,
        List<String> organizations,
        Set<KeyUsage> keyUsages,
        Set<ExtendedUsage> extendedUsages,
        SubjectAltNames subjectAltNames,
        Duration validity) {

    /** Who signs a certificate. */
    public sealed interface Issuer {
        /** A certificate authority: signs itself. */
        record SelfSigned() implements Issuer {
        }

        /** A leaf, signed by the CA of the catalogue with this name. */
        record SignedBy(String caName) implements Issuer {
            public SignedBy {
                Objects.requireNonNull(caName, "CA name");
            }
        }
    }

    public CertificateSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseName, "base name");
        Objects.requireNonNull(issuer, "issuer of " + name);
        Objects.requireNonNull(commonName, "common name of " + name);
        organizations = List.copyOf(organizations);
        keyUsages = Set.copyOf(keyUsages);
        extendedUsages = Set.copyOf(extendedUsages);
        Objects.requireNonNull(subjectAltNames, "SANs of " + name);
        Objects.requireNonNull(validity, "validity of " + name);
    }

    public boolean isCertificateAuthority() {
        return issuer instanceof Issuer.SelfSigned;
    }

    /** The name of the CA that signs this certificate; a CA's own name for a CA. */
    public String signerName() {
        return switch (issuer) {
            case Issuer.SelfSigned ignored -> name;
            case Issuer.SignedBy signedBy -> signedBy.caName();
        };
    }

    public Path certificateFile(Path pkiFolder) {
        return pkiFolder.resolve(baseName + ".crt");
    }

    public Path keyFile(Path pkiFolder) {
        return pkiFolder.resolve(baseName + ".key");
    }
}
