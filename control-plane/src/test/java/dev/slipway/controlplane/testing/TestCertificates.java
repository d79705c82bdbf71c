package dev.slipway.controlplane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA for tests that need TLS on loopback: serving certificates for 127.0.0.1 and
 * client certificates, written as PEM files (keys in PKCS#8). Not the cluster's PKI (that is the
 * pki module); just enough for component tests.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key as PEM files, with the CA that signed it. */
    public record Issued(Path caPem, Path certPem, Path keyPem) {
    }

    private final Path directory;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caPem;

    private TestCertificates(Path directory, KeyPair caKeys, X509Certificate caCertificate, Path caPem) {
        this.directory = directory;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caPem = caPem;
    }

    /** A new CA named {@code name}, its files under {@code directory}. */
    public static TestCertificates newCa(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            KeyPair keys = keyPair();
            X500Name subject = new X500Name("CN=" + name);
            JcaX509v3CertificateBuilder builder = builder(subject, subject, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate certificate = sign(builder, keys);
            Path pem = directory.resolve(name + "-ca.crt");
            writePem(pem, certificate);
            return new TestCertificates(directory, keys, certificate, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a test CA", e);
        }
    }

    public Path caPem() {
        return caPem;
    }

    /** A serving (and client) certificate for 127.0.0.1 and localhost. */
    public Issued server(String name) {
        return server(name, List.of(InetAddress.getLoopbackAddress().getHostAddress(), "localhost"));
    }

    /** A serving (and client) certificate for exactly these DNS names and IP addresses. */
    public Issued server(String name, List<String> subjectAltNames) {
        return issue(name, null, subjectAltNames);
    }

    /** A client certificate with CN {@code commonName} and, when given, O {@code organization}. */
    public Issued client(String commonName, String organization) {
        return issue(commonName, organization, null);
    }

    private Issued issue(String commonName, String organization, List<String> serverNames) {
        try {
            KeyPair keys = keyPair();
            X500Name subject = new X500Name("CN=" + commonName + (organization == null ? "" : ",O=" + organization));
            JcaX509v3CertificateBuilder builder = builder(new X500Name(caCertificate.getSubjectX500Principal().getName()), subject, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (serverNames != null) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(serverNames.stream()
                        .map(san -> new GeneralName(san.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, san))
                        .toArray(GeneralName[]::new)));
            } else {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            }
            X509Certificate certificate = sign(builder, caKeys);
            String file = commonName.replaceAll("[^A-Za-z0-9._-]", "_");
            Path certPem = directory.resolve(file + ".crt");
            Path keyPem = directory.resolve(file + ".key");
            writePem(certPem, certificate);
            writePem(keyPem, new JcaPKCS8Generator(keys.getPrivate(), null));
            return new Issued(caPem, certPem, keyPem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + commonName, e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            pem.writeObject(object);
        }
    }
}
