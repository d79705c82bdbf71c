package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One PKI issued once (ECDSA, three masters), then every certificate checked with openssl and the JDK. */
class PkiDirectoryIssuanceTest {

    @TempDir
    static Path clusterDir;

    static Path pki;
    static CertificateCatalogue catalogue;
    static PkiReport report;

    @BeforeAll
    static void issueOnce() {
        pki = clusterDir.resolve("pki");
        catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());
        report = PkiDirectory.at(pki).ensure(catalogue);
    }

    static Stream<String> certificateNames() {
        return CertificateCatalogue.of(TestTopologies.threeMasters()).certificates().stream().map(CertificateSpec::name);
    }

    @Test
    void aFirstRunCreatesEveryEntryOfTheCatalogue() {
        assertThat(report.ok()).as(report.describeProblems()).isTrue();
        assertThat(report.outcomes()).hasSize(catalogue.certificates().size() + 1)
                .allMatch(outcome -> outcome instanceof PkiReport.Created);
        assertThat(pki.resolve("ca.crt")).isRegularFile();
        assertThat(pki.resolve("etcd/ca.key")).isRegularFile();
        assertThat(pki.resolve("etcd/server-m2.crt")).isRegularFile();
        assertThat(pki.resolve("apiserver-etcd-client.crt")).isRegularFile();
        assertThat(pki.resolve("sa.key")).isRegularFile();
        assertThat(pki.resolve("sa.pub")).isRegularFile();
    }

    @ParameterizedTest
    @MethodSource("certificateNames")
    void everyCertificateVerifiesWithOpensslAgainstItsCa(String name) {
        CertificateSpec spec = catalogue.get(name);
        Path caFile = catalogue.get(spec.signerName()).certificateFile(pki);

        Openssl result = Openssl.run("verify", "-x509_strict", "-CAfile", caFile.toString(),
                spec.certificateFile(pki).toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains(": OK");
    }

    @ParameterizedTest
    @MethodSource("certificateNames")
    void everyCertificateHasExactlyTheCatalogueSans(String name) {
        CertificateSpec spec = catalogue.get(name);
        X509Certificate certificate = Pem.readCertificate(spec.certificateFile(pki));

        SubjectAltNames actual = CertificateRecord.subjectAltNamesOf(certificate);

        assertThat(actual.dnsNames()).containsExactlyInAnyOrderElementsOf(spec.subjectAltNames().dnsNames());
        assertThat(actual.ipAddresses()).containsExactlyInAnyOrderElementsOf(spec.subjectAltNames().ipAddresses());
    }

    @Test
    void opensslReadsTheApiServerSans() {
        String text = Openssl.text(pki.resolve("apiserver.crt"));

        assertThat(text).contains("DNS:kubernetes.default.svc.cluster.local", "DNS:m3", "DNS:api.lab.example",
                "IP Address:10.96.0.1", "IP Address:127.0.10.2", "IP Address:192.0.2.10", "IP Address:127.0.0.1");
    }

    @ParameterizedTest
    @MethodSource("certificateNames")
    void subjectsAreTheCatalogues(String name) {
        CertificateSpec spec = catalogue.get(name);
        String subject = Openssl.run("x509", "-in", spec.certificateFile(pki).toString(), "-noout", "-subject",
                "-nameopt", "RFC2253").output().trim();

        String expected = "subject=CN=" + spec.commonName()
                + spec.organizations().stream().map(o -> ",O=" + o).reduce("", String::concat);
        assertThat(subject).isEqualTo(expected);
    }

    @Test
    void casAreCriticallyMarkedCasThatSignCertificates() {
        for (CertificateSpec ca : catalogue.authorities()) {
            X509Certificate certificate = Pem.readCertificate(ca.certificateFile(pki));
            String text = Openssl.text(ca.certificateFile(pki));

            assertThat(certificate.getBasicConstraints()).isNotNegative();
            assertThat(certificate.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(),
                    Extension.keyUsage.getId());
            assertThat(text).contains("CA:TRUE", "Certificate Sign, CRL Sign");
        }
    }

    @Test
    void leavesAreNotCasAndCarryTheirUsages() {
        for (CertificateSpec spec : catalogue.certificates().stream().filter(s -> !s.isCertificateAuthority()).toList()) {
            String text = Openssl.text(spec.certificateFile(pki));

            assertThat(text).as(spec.name()).contains("CA:FALSE", "Digital Signature").doesNotContain("Certificate Sign");
            assertThat(text.contains("TLS Web Server Authentication")).as(spec.name())
                    .isEqualTo(spec.extendedUsages().contains(ExtendedUsage.SERVER_AUTH));
            assertThat(text.contains("TLS Web Client Authentication")).as(spec.name())
                    .isEqualTo(spec.extendedUsages().contains(ExtendedUsage.CLIENT_AUTH));
        }
    }

    @Test
    void keysAreEcdsaP256ByDefault() {
        X509Certificate certificate = Pem.readCertificate(pki.resolve("apiserver.crt"));

        assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void serialsAreRandomAndAbout128Bits() {
        List<BigInteger> serials = catalogue.certificates().stream()
                .map(spec -> Pem.readCertificate(spec.certificateFile(pki)).getSerialNumber()).toList();

        assertThat(serials).doesNotHaveDuplicates().allMatch(serial -> serial.signum() > 0 && serial.bitLength() <= 128);
        assertThat(serials.stream().mapToInt(BigInteger::bitLength).max().orElseThrow()).isGreaterThan(100);
    }

    @Test
    void leavesNameTheirCaKeyAsAuthorityKeyIdentifier() throws IOException {
        X509Certificate ca = Pem.readCertificate(pki.resolve("etcd/ca.crt"));
        X509Certificate leaf = Pem.readCertificate(pki.resolve("etcd/peer-m1.crt"));

        byte[] caKeyId = SubjectKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(ca.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets())
                .getKeyIdentifier();
        byte[] authorityKeyId = AuthorityKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets())
                .getKeyIdentifierOctets();

        assertThat(authorityKeyId).isEqualTo(caKeyId);
        assertThat(leaf.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
    }

    @Test
    void caValidityIsTenYearsAndLeafValidityOneYear() {
        X509Certificate ca = Pem.readCertificate(pki.resolve("ca.crt"));
        X509Certificate leaf = Pem.readCertificate(pki.resolve("admin.crt"));

        long caDays = java.time.Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()).toDays();
        long leafDays = java.time.Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toDays();
        assertThat(caDays).isEqualTo(3650);
        assertThat(leafDays).isEqualTo(365);
    }

    @Test
    void keysAre0600CertificatesAre0644FoldersAre0700() throws IOException {
        try (Stream<Path> files = Files.walk(pki)) {
            for (Path file : files.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
                String name = file.getFileName().toString();
                if (Files.isDirectory(file)) {
                    assertThat(mode).as(file.toString()).isEqualTo("rwx------");
                } else if (name.endsWith(".key")) {
                    assertThat(mode).as(file.toString()).isEqualTo("rw-------");
                } else {
                    assertThat(name).as("no temp file left behind").matches(".*\\.(crt|pub)");
                    assertThat(mode).as(file.toString()).isEqualTo("rw-r--r--");
                }
            }
        }
    }

    @Test
    void serviceAccountPublicKeyMatchesItsPrivateKey() {
        var key = Pem.readPrivateKey(pki.resolve("sa.key"));
        var publicKey = Pem.readPublicKey(pki.resolve("sa.pub"));

        assertThat(KeyPairs.matches(key, publicKey)).isTrue();
        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        Openssl result = Openssl.run("pkey", "-pubin", "-in", pki.resolve("sa.pub").toString(), "-noout");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void opensslReadsEveryPrivateKeyAndFindsItMatchesItsCertificate() {
        for (CertificateSpec spec : catalogue.certificates()) {
            String fromKey = Openssl.run("pkey", "-in", spec.keyFile(pki).toString(), "-pubout").output();
            String fromCertificate = Openssl.run("x509", "-in", spec.certificateFile(pki).toString(), "-noout", "-pubkey").output();

            assertThat(fromKey).as(spec.name()).startsWith("-----BEGIN PUBLIC KEY-----").isEqualTo(fromCertificate);
        }
    }

    @Test
    void inspectionListsEveryCertificateWithItsFingerprintAndDaysLeft() {
        List<CertificateRecord> records = PkiDirectory.at(pki).inspect(catalogue);
        CertificateRecord apiserver = records.stream().filter(r -> r.name().equals("apiserver")).findFirst().orElseThrow();
        String opensslFingerprint = Openssl.run("x509", "-in", pki.resolve("apiserver.crt").toString(), "-noout",
                "-fingerprint", "-sha256").output().trim();

        assertThat(records).hasSize(catalogue.certificates().size());
        assertThat(opensslFingerprint).isEqualTo("sha256 Fingerprint=" + apiserver.sha256Fingerprint());
        assertThat(apiserver.daysLeft()).isBetween(364L, 365L);
        assertThat(apiserver.subject()).isEqualTo("CN=kube-apiserver");
        assertThat(apiserver.issuer()).isEqualTo("CN=kubernetes");
        assertThat(apiserver.subjectAltNames()).contains("kubernetes.default", "10.96.0.1");
    }

    static boolean sameBytes(Path a, Path b) throws IOException {
        return Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
