package dev.slipway.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM text to and from JDK types. Reads certificates, private keys in PKCS#8, SEC1 ({@code EC PRIVATE
 * KEY}) and PKCS#1 ({@code RSA PRIVATE KEY}) form, and public keys; writes PKCS#8 keys.
 */
public final class Pem {

    private static final JcaPEMKeyConverter KEY_CONVERTER = new JcaPEMKeyConverter();

    private Pem() {
    }

    public static X509Certificate readCertificate(Path file) {
        List<X509Certificate> chain = readCertificates(file);
        return chain.getFirst();
    }

    /** Every certificate in the file, in order (a chain: leaf first); at least one or an error. */
    public static List<X509Certificate> readCertificates(Path file) {
        return parseCertificates(read(file), file.toString());
    }

    public static List<X509Certificate> parseCertificates(String pem, String source) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw new PkiException(source + ": expected CERTIFICATE blocks, found " + describe(object));
                }
                certificates.add(toCertificate(holder.getEncoded(), source));
            }
        } catch (IOException e) {
            throw new PkiException(source + ": not valid PEM: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException(source + ": no PEM certificate found");
        }
        return List.copyOf(certificates);
    }

    public static PrivateKey readPrivateKey(Path file) {
        return parsePrivateKey(read(file), file.toString());
    }

    public static PrivateKey parsePrivateKey(String pem, String source) {
        Object object = single(pem, source);
        try {
            return switch (object) {
                case PrivateKeyInfo info -> KEY_CONVERTER.getPrivateKey(info);
                case PEMKeyPair pair -> KEY_CONVERTER.getKeyPair(pair).getPrivate();
                case PEMEncryptedKeyPair ignored -> throw encrypted(source);
                case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(source);
                default -> throw new PkiException(source + ": expected a private key, found " + describe(object));
            };
        } catch (IOException e) {
            throw new PkiException(source + ": unreadable private key: " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        return parsePublicKey(read(file), file.toString());
    }

    public static PublicKey parsePublicKey(String pem, String source) {
        Object object = single(pem, source);
        try {
            if (object instanceof SubjectPublicKeyInfo info) {
                return KEY_CONVERTER.getPublicKey(info);
            }
        } catch (IOException e) {
            throw new PkiException(source + ": unreadable public key: " + e.getMessage(), e);
        }
        throw new PkiException(source + ": expected a PUBLIC KEY block, found " + describe(object));
    }

    /** A PKCS#10 certificate signing request ({@code CERTIFICATE REQUEST} block). */
    static PKCS10CertificationRequest parseCertificateRequest(String pem, String source) {
        Object object = single(pem, source);
        if (object instanceof PKCS10CertificationRequest request) {
            return request;
        }
        throw new PkiException(source + ": expected a CERTIFICATE REQUEST block, found " + describe(object));
    }

    public static String encode(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new PkiException("cannot encode certificate " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }

    public static String encode(List<X509Certificate> chain) {
        StringBuilder text = new StringBuilder();
        chain.forEach(certificate -> text.append(encode(certificate)));
        return text.toString();
    }

    /** PKCS#8 ({@code PRIVATE KEY}), which Go, OpenSSL and the JDK all read. */
    public static String encode(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    public static String encode(PublicKey key) {
        return block("PUBLIC KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static X509Certificate toCertificate(byte[] der, String source) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new PkiException(source + ": not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static Object single(String pem, String source) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            if (object == null) {
                throw new PkiException(source + ": no PEM block found");
            }
            return object;
        } catch (IOException e) {
            throw new PkiException(source + ": not valid PEM: " + e.getMessage(), e);
        }
    }

    private static PkiException encrypted(String source) {
        return new PkiException(source + ": the private key is encrypted; Slipway needs an unencrypted key (file mode 0600)");
    }

    private static String describe(Object object) {
        return object == null ? "nothing" : object.getClass().getSimpleName();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": no such file", e);
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
