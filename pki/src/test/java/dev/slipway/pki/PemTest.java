package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys written by openssl in every form Go and OpenSSL tools write, read into JDK keys. */
class PemTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "SEC1 EC PRIVATE KEY  | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | ec -in {in} -out {out}                      | EC PRIVATE KEY",
            "PKCS#8 EC            | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | pkey -in {in} -out {out}                    | PRIVATE KEY",
            "PKCS#1 RSA           | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048   | rsa -in {in} -out {out} -traditional        | RSA PRIVATE KEY",
            "PKCS#8 RSA           | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048   | pkey -in {in} -out {out}                    | PRIVATE KEY"})
    void privateKeysInEveryFormReadAsTheSameKey(String form, String generate, String convert, String blockType) throws IOException {
        Path generated = dir.resolve("generated.pem");
        Path converted = dir.resolve("converted.pem");
        run((generate + " -out " + generated).split(" "));
        run(convert.replace("{in}", generated.toString()).replace("{out}", converted.toString()).split("\\s+"));
        assertThat(Files.readString(converted)).startsWith("-----BEGIN " + blockType + "-----");

        PrivateKey key = Pem.readPrivateKey(converted);

        String opensslPublic = Openssl.run("pkey", "-in", generated.toString(), "-pubout").output();
        assertThat(Pem.encode(KeyPairs.publicKeyOf(key))).isEqualTo(opensslPublic);
    }

    @Test
    void anEncryptedKeyIsRefusedWithAClearMessage() {
        Path key = dir.resolve("encrypted.key");
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:secret",
                "-out", key.toString());

        assertThatThrownBy(() -> Pem.readPrivateKey(key))
                .isInstanceOf(PkiException.class).hasMessageContaining(key.toString()).hasMessageContaining("encrypted");
    }

    @Test
    void aCertificateWhereAKeyIsExpectedIsRefusedNamingTheFile() throws IOException {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(CertificateCatalogue.of(TestTopologies.threeMasters()));

        assertThatThrownBy(() -> Pem.readPrivateKey(pki.resolve("ca.crt")))
                .isInstanceOf(PkiException.class).hasMessageContaining("ca.crt").hasMessageContaining("expected a private key");
    }

    @Test
    void anEmptyFileHasNoCertificate() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.crt"), "");

        assertThatThrownBy(() -> Pem.readCertificate(empty)).hasMessageContaining("empty.crt").hasMessageContaining("no PEM");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> Pem.readCertificate(dir.resolve("absent.crt"))).hasMessageContaining("absent.crt: no such file");
    }

    @Test
    void aChainReadsInOrderAndWritesBackIdentically() {
        Path pki = dir.resolve("pki");
        PkiDirectory.at(pki).ensure(CertificateCatalogue.of(TestTopologies.threeMasters()));
        var chain = List.of(Pem.readCertificate(pki.resolve("apiserver.crt")), Pem.readCertificate(pki.resolve("ca.crt")));

        var parsed = Pem.parseCertificates(Pem.encode(chain), "chain");

        assertThat(parsed).isEqualTo(chain);
    }

    private static void run(String... arguments) {
        Openssl result = Openssl.run(arguments);
        assertThat(result.exitCode()).as(String.join(" ", arguments) + ": " + result.output()).isZero();
    }
}
