package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Signing PKCS#10 requests made by the real openssl, as the CSR approver will for kubelets. */
class CertificateAuthoritySigningTest {

    @TempDir
    Path dir;

    private Path pki;
    private CertificateAuthority ca;

    @BeforeEach
    void givenAClusterCa() {
        pki = dir.resolve("pki");
        CertificateCatalogue catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());
        PkiDirectory directory = PkiDirectory.at(pki);
        directory.ensure(catalogue);
        ca = directory.authority(catalogue.get(CertificateCatalogue.CLUSTER_CA));
    }

    @Test
    void aKubeletClientRequestIsSignedWithTheGivenUsagesAndValidity() throws IOException {
        String csr = request("/O=system:nodes/CN=system:node:w1");

        X509Certificate certificate = ca.sign(csr, SubjectRule.kubeletClient("w1"), Set.of(ExtendedUsage.CLIENT_AUTH),
                Duration.ofDays(30), Instant.now());

        Path file = Files.writeString(dir.resolve("kubelet.crt"), Pem.encode(certificate));
        Openssl verify = Openssl.run("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile",
                pki.resolve("ca.crt").toString(), file.toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        String text = Openssl.text(file);
        assertThat(text).contains("Subject: O = system:nodes, CN = system:node:w1", "TLS Web Client Authentication", "CA:FALSE")
                .doesNotContain("TLS Web Server Authentication");
        assertThat(Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()).toDays())
                .isEqualTo(30);
        assertThat(certificate.getPublicKey()).isEqualTo(Pem.readPublicKey(Path.of(dir + "/req.pub")));
    }

    @Test
    void aServingRequestKeepsItsSansWhenTheRuleAllowsThem() throws IOException {
        String csr = request("/O=system:nodes/CN=system:node:w1", "subjectAltName=DNS:w1,IP:127.0.20.1");
        SubjectRule serving = new SubjectRule(Pattern.compile("system:node:w1"), List.of("system:nodes"), true);

        X509Certificate certificate = ca.sign(csr, serving, Set.of(ExtendedUsage.SERVER_AUTH), Duration.ofDays(30), Instant.now());

        assertThat(CertificateRecord.subjectAltNamesOf(certificate).all()).containsExactly("w1", "127.0.20.1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/O=system:nodes/CN=system:node:w2        | does not match",
            "/O=system:masters/CN=system:node:w1      | is not [system:nodes]",
            "/O=system:nodes/O=system:masters/CN=system:node:w1 | is not [system:nodes]",
            "/OU=x/O=system:nodes/CN=system:node:w1   | other than CN and O",
            "/O=system:nodes                           | has no CN"})
    void aRequestWhoseSubjectBreaksTheRuleIsRejected(String subject, String reason) throws IOException {
        String csr = request(subject);

        assertThatThrownBy(() -> ca.sign(csr, SubjectRule.kubeletClient("w1"), Set.of(ExtendedUsage.CLIENT_AUTH),
                Duration.ofDays(30), Instant.now()))
                .isInstanceOf(CertificateRequestRejected.class).hasMessageContaining(reason);
    }

    @Test
    void aKubeletClientRequestAskingForSansIsRejected() throws IOException {
        String csr = request("/O=system:nodes/CN=system:node:w1", "subjectAltName=DNS:kubernetes");

        assertThatThrownBy(() -> ca.sign(csr, SubjectRule.kubeletClient("w1"), Set.of(ExtendedUsage.CLIENT_AUTH),
                Duration.ofDays(30), Instant.now()))
                .isInstanceOf(CertificateRequestRejected.class).hasMessageContaining("subject alternative names (kubernetes)");
    }

    @Test
    void aRequestWithATamperedSignatureIsRejected() throws IOException {
        String csr = request("/O=system:nodes/CN=system:node:w1");
        String body = csr.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        der[der.length - 2] ^= 0x01;
        String tampered = Pem.block("CERTIFICATE REQUEST", der);

        assertThatThrownBy(() -> ca.sign(tampered, SubjectRule.kubeletClient("w1"), Set.of(ExtendedUsage.CLIENT_AUTH),
                Duration.ofDays(30), Instant.now()))
                .isInstanceOf(CertificateRequestRejected.class);
    }

    @Test
    void somethingThatIsNotARequestIsRejected() {
        assertThatThrownBy(() -> ca.sign(Pem.encode(ca.certificate()), SubjectRule.kubeletClient("w1"),
                Set.of(ExtendedUsage.CLIENT_AUTH), Duration.ofDays(30), Instant.now()))
                .isInstanceOf(CertificateRequestRejected.class).hasMessageContaining("CERTIFICATE REQUEST");
    }

    @Test
    void aLeafNeverOutlivesItsCa() throws IOException {
        String csr = request("/O=system:nodes/CN=system:node:w1");

        X509Certificate certificate = ca.sign(csr, SubjectRule.kubeletClient("w1"), Set.of(ExtendedUsage.CLIENT_AUTH),
                Duration.ofDays(365 * 30), Instant.now());

        assertThat(certificate.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    /** A P-256 request made by openssl; its public key is left in req.pub. */
    private String request(String subject, String... extensions) throws IOException {
        Path key = dir.resolve("req.key");
        Path csr = dir.resolve("req.csr");
        Files.deleteIfExists(key);
        List<String> arguments = new java.util.ArrayList<>(List.of("req", "-new", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", subject));
        for (String extension : extensions) {
            arguments.add("-addext");
            arguments.add(extension);
        }
        Openssl made = Openssl.run(arguments.toArray(String[]::new));
        assertThat(made.exitCode()).as(made.output()).isZero();
        Openssl.run("pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve("req.pub").toString());
        return Files.readString(csr);
    }
}
