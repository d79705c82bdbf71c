package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.pki.ClusterTopology.Member;
import dev.slipway.pki.PkiReport.Created;
import dev.slipway.pki.PkiReport.Problem;
import dev.slipway.pki.PkiReport.Reused;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load, verify, else create: what a second run reuses, completes, reports, and never overwrites. */
class PkiDirectoryReuseTest {

    @TempDir
    Path dir;

    private final CertificateCatalogue catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());

    @Test
    void aSecondRunReusesEverythingAndLeavesFilesByteIdentical() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Map<Path, byte[]> before = contents(pki);

        PkiReport second = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(second.outcomes()).allMatch(outcome -> outcome instanceof Reused);
        assertThat(contents(pki)).containsOnlyKeys(before.keySet());
        before.forEach((file, bytes) -> assertThat(readBytes(file)).as(file.toString()).isEqualTo(bytes));
    }

    @Test
    void aCertificateFromAnotherCaIsReportedAndNotOverwritten() throws IOException {
        Path pki = dir.resolve("pki");
        Path other = dir.resolve("other");
        PkiDirectory.at(pki).ensure(catalogue);
        PkiDirectory.at(other).ensure(catalogue);
        replace(other.resolve("apiserver-etcd-client.crt"), pki.resolve("apiserver-etcd-client.crt"));
        replace(other.resolve("apiserver-etcd-client.key"), pki.resolve("apiserver-etcd-client.key"));
        byte[] foreign = Files.readAllBytes(pki.resolve("apiserver-etcd-client.crt"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        Problem problem = problem(report, "apiserver-etcd-client");
        assertThat(problem.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.check()).isEqualTo(Check.WRONG_ISSUER);
            assertThat(finding.file()).isEqualTo(pki.resolve("apiserver-etcd-client.crt"));
            assertThat(finding.detail()).contains("not by CA etcd-ca");
        });
        assertThat(Files.readAllBytes(pki.resolve("apiserver-etcd-client.crt"))).isEqualTo(foreign);
        assertThat(report.outcome("apiserver")).get().isInstanceOf(Reused.class);
    }

    @Test
    void aMasterAddedAfterIssuanceIsReportedAsAMissingSanOnTheApiServerCertificate() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        byte[] before = Files.readAllBytes(pki.resolve("apiserver.crt"));
        List<Member> fourMasters = new ArrayList<>(TestTopologies.MASTERS);
        fourMasters.add(new Member("m4", "127.0.10.4"));

        PkiReport report = PkiDirectory.at(pki).ensure(CertificateCatalogue.of(TestTopologies.threeMasters().withMasters(fourMasters)));

        Problem problem = problem(report, "apiserver");
        assertThat(problem.has(Check.MISSING_SAN)).isTrue();
        assertThat(problem.findings().getFirst().detail()).contains("m4", "127.0.10.4");
        assertThat(Files.readAllBytes(pki.resolve("apiserver.crt"))).isEqualTo(before);
        assertThat(report.outcome("etcd-server-m1")).get().isInstanceOf(Reused.class);
    }

    @Test
    void aCertificateExpiringWithinTheThresholdIsFlagged() {
        Path pki = dir.resolve("pki");
        CertificateCatalogue shortLived = CertificateCatalogue.of(
                TestTopologies.threeMasters().withValidities(Duration.ofDays(3650), Duration.ofDays(10)));
        PkiDirectory.at(pki).ensure(shortLived);

        PkiReport report = PkiDirectory.at(pki).ensure(shortLived);

        Problem problem = problem(report, "admin");
        assertThat(problem.has(Check.EXPIRING)).isTrue();
        assertThat(problem.findings().getFirst().detail()).contains("threshold 30 days");
        assertThat(report.outcome("ca")).get().isInstanceOf(Reused.class);
    }

    @Test
    void anExpiredCertificateIsFlaggedAsExpired() {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Clock twoYearsLater = Clock.fixed(Instant.now().plus(Duration.ofDays(730)), ZoneOffset.UTC);

        PkiReport report = new PkiDirectory(pki, twoYearsLater, Duration.ofDays(30)).verify(catalogue);

        assertThat(problem(report, "scheduler").findings().getFirst().detail()).startsWith("expired on");
        assertThat(report.outcome("ca")).get().isInstanceOf(Reused.class);
    }

    @Test
    void aCaCertificateWithoutItsKeyIsAnErrorAndNoNewCaIsMade() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.delete(pki.resolve("etcd/ca.key"));
        Files.delete(pki.resolve("etcd/server-m1.crt"));
        Files.delete(pki.resolve("etcd/server-m1.key"));
        byte[] caBefore = Files.readAllBytes(pki.resolve("etcd/ca.crt"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(problem(report, "etcd-ca").has(Check.MISSING_KEY)).isTrue();
        assertThat(problem(report, "etcd-server-m1").has(Check.CA_UNUSABLE)).isTrue();
        assertThat(pki.resolve("etcd/ca.key")).doesNotExist();
        assertThat(pki.resolve("etcd/server-m1.crt")).doesNotExist();
        assertThat(Files.readAllBytes(pki.resolve("etcd/ca.crt"))).isEqualTo(caBefore);
        assertThat(report.outcome("etcd-peer-m1")).get().isInstanceOf(Reused.class);
    }

    @Test
    void aMissingCaWhoseCertificatesRemainIsNotRecreated() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.delete(pki.resolve("front-proxy-ca.crt"));
        Files.delete(pki.resolve("front-proxy-ca.key"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        Problem problem = problem(report, "front-proxy-ca");
        assertThat(problem.has(Check.CA_MISSING_WITH_LEAVES)).isTrue();
        assertThat(problem.findings().getFirst().detail()).contains("front-proxy-client.crt");
        assertThat(pki.resolve("front-proxy-ca.crt")).doesNotExist();
        assertThat(problem(report, "front-proxy-client").has(Check.CA_UNUSABLE)).isTrue();
    }

    @Test
    void aKeyLeftWithoutCertificateByAnInterruptedRunGetsItsCertificate() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        byte[] key = Files.readAllBytes(pki.resolve("apiserver.key"));
        Files.delete(pki.resolve("apiserver.crt"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(report.outcome("apiserver")).get().isInstanceOfSatisfying(Created.class,
                created -> assertThat(created.files()).containsExactly(pki.resolve("apiserver.crt")));
        assertThat(Files.readAllBytes(pki.resolve("apiserver.key"))).isEqualTo(key);
        assertThat(PkiDirectory.at(pki).verify(catalogue).ok()).isTrue();
    }

    @Test
    void aCaKeyLeftWithoutItsCertificateGetsACertificateThatItsLeavesStillVerifyWith() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        byte[] caKey = Files.readAllBytes(pki.resolve("etcd/ca.key"));
        Files.delete(pki.resolve("etcd/ca.crt"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(report.outcome("etcd-ca")).get().isInstanceOf(Created.class);
        assertThat(Files.readAllBytes(pki.resolve("etcd/ca.key"))).isEqualTo(caKey);
        assertThat(report.outcome("etcd-server-m1")).get().isInstanceOf(Reused.class);
        Openssl verify = Openssl.run("verify", "-CAfile", pki.resolve("etcd/ca.crt").toString(),
                pki.resolve("etcd/server-m1.crt").toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
    }

    @Test
    void aCertificateWithoutItsKeyIsReportedNotReissued() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.delete(pki.resolve("admin.key"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(problem(report, "admin").has(Check.MISSING_KEY)).isTrue();
        assertThat(pki.resolve("admin.key")).doesNotExist();
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsReported() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        replace(pki.resolve("scheduler.key"), pki.resolve("admin.key"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(problem(report, "admin").has(Check.KEY_MISMATCH)).isTrue();
    }

    @Test
    void aReadableByOthersKeyIsReported() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.setPosixFilePermissions(pki.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));

        PkiReport report = PkiDirectory.at(pki).verify(catalogue);

        assertThat(problem(report, "ca").has(Check.INSECURE_KEY_MODE)).isTrue();
        assertThat(problem(report, "ca").findings().getFirst().detail()).contains("chmod 600");
    }

    @Test
    void aGarbledCertificateIsReportedAsUnreadableAndKept() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.writeString(pki.resolve("controller-manager.crt"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        Problem problem = problem(report, "controller-manager");
        assertThat(problem.has(Check.UNREADABLE)).isTrue();
        assertThat(problem.findings().getFirst().file()).isEqualTo(pki.resolve("controller-manager.crt"));
        assertThat(Files.readString(pki.resolve("controller-manager.crt"))).contains("not base64!");
    }

    @Test
    void aLeafWithAnotherSubjectIsReported() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        replace(pki.resolve("scheduler.crt"), pki.resolve("controller-manager.crt"));
        replace(pki.resolve("scheduler.key"), pki.resolve("controller-manager.key"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(problem(report, "controller-manager").findings()).singleElement()
                .satisfies(finding -> assertThat(finding.check()).isEqualTo(Check.WRONG_SUBJECT));
    }

    @Test
    void verifyingAnEmptyFolderReportsEverythingMissingAndWritesNothing() {
        Path pki = dir.resolve("pki");

        PkiReport report = PkiDirectory.at(pki).verify(catalogue);

        assertThat(report.problems()).hasSize(catalogue.certificates().size() + 1)
                .allMatch(problem -> problem.has(Check.MISSING));
        assertThat(pki).doesNotExist();
    }

    @Test
    void aServiceAccountPublicKeyIsDerivedWhenOnlyThePrivateKeyRemains() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        byte[] publicKey = Files.readAllBytes(pki.resolve("sa.pub"));
        Files.delete(pki.resolve("sa.pub"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(report.outcome("sa")).get().isInstanceOf(Created.class);
        assertThat(Files.readAllBytes(pki.resolve("sa.pub"))).isEqualTo(publicKey);
    }

    @Test
    void aServiceAccountPublicKeyWithoutPrivateKeyIsReported() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(catalogue);
        Files.delete(pki.resolve("sa.key"));

        PkiReport report = PkiDirectory.at(pki).ensure(catalogue);

        assertThat(problem(report, "sa").has(Check.MISSING_KEY)).isTrue();
        assertThat(pki.resolve("sa.key")).doesNotExist();
    }

    @Test
    void theRsaVariantIssuesRsaKeysThatOpensslVerifies() {
        Path pki = dir.resolve("pki");
        CertificateCatalogue rsa = CertificateCatalogue.of(TestTopologies.threeMasters().withKeyAlgorithm(KeyAlgorithm.RSA_2048));

        PkiReport report = PkiDirectory.at(pki).ensure(rsa);

        assertThat(report.ok()).as(report.describeProblems()).isTrue();
        for (CertificateSpec spec : rsa.certificates()) {
            Path ca = rsa.get(spec.signerName()).certificateFile(pki);
            Openssl result = Openssl.run("verify", "-x509_strict", "-CAfile", ca.toString(), spec.certificateFile(pki).toString());
            assertThat(result.exitCode()).as(spec.name() + ": " + result.output()).isZero();
            assertThat(Pem.readCertificate(spec.certificateFile(pki)).getSigAlgName()).isEqualTo("SHA256withRSA");
        }
        String text = Openssl.text(pki.resolve("apiserver.crt"));
        assertThat(text).contains("Public-Key: (2048 bit)", "Digital Signature, Key Encipherment");
        assertThat(PkiDirectory.at(pki).ensure(rsa).outcomes()).allMatch(outcome -> outcome instanceof Reused);
    }

    private static Problem problem(PkiReport report, String name) {
        return report.outcome(name)
                .filter(Problem.class::isInstance).map(Problem.class::cast)
                .orElseThrow(() -> new AssertionError(name + " has no problem: " + report.outcome(name)));
    }

    private static void replace(Path source, Path target) throws IOException {
        Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<Path, byte[]> contents(Path folder) throws IOException {
        Map<Path, byte[]> contents = new HashMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.put(file, Files.readAllBytes(file));
            }
        }
        return contents;
    }
}
