package dev.slipway.pki;

import java.nio.file.Path;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA certificate with its private key: issues the leaves of the catalogue and signs CSRs. */
public final class CertificateAuthority {

    /** Certificates start a little in the past so that a host whose clock lags accepts them at once. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        if (certificate.getBasicConstraints() < 0) {
            throw new PkiException("certificate " + certificate.getSubjectX500Principal() + " is not a CA");
        }
        if (!KeyPairs.matches(key, certificate.getPublicKey())) {
            throw new PkiException("the private key does not belong to CA certificate "
                    + certificate.getSubjectX500Principal());
        }
    }

    public static CertificateAuthority load(Path certificateFile, Path keyFile) {
        return new CertificateAuthority(Pem.readCertificate(certificateFile), Pem.readPrivateKey(keyFile));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A new self-signed CA for the spec, with a fresh key of the given algorithm. */
    public static CertificateAuthority create(CertificateSpec spec, KeyAlgorithm algorithm, Instant now) {
        KeyPair pair = algorithm.generate();
        return new CertificateAuthority(selfSign(spec, pair, now), pair.getPrivate());
    }

    /** A self-signed CA certificate for the spec over an existing key pair. */
    static X509Certificate selfSign(CertificateSpec spec, KeyPair pair, Instant now) {
        X500Name subject = subject(spec.commonName(), spec.organizations());
        return build(subject, pair.getPublic(), subject, pair.getPublic(), pair.getPrivate(),
                now.minus(BACKDATE), now.plus(spec.validity()), true, spec.keyUsages(), Set.of(),
                SubjectAltNames.NONE);
    }

    /** Issues the leaf certificate of the spec for a subject key. */
    public X509Certificate issue(CertificateSpec spec, PublicKey subjectKey, Instant now) {
        if (spec.isCertificateAuthority()) {
            throw new IllegalArgumentException(spec.name() + " is a CA: it is self-signed, not issued");
        }
        return issue(subject(spec.commonName(), spec.organizations()), subjectKey, spec.keyUsages(),
                spec.extendedUsages(), spec.subjectAltNames(), spec.validity(), now);
    }

    X509Certificate issue(X500Name subject, PublicKey subjectKey, Set<KeyUsage> keyUsages,
                          Set<ExtendedUsage> extendedUsages, SubjectAltNames sans, Duration validity, Instant now) {
        Instant notAfter = now.plus(validity);
        Instant caNotAfter = certificate.getNotAfter().toInstant();
        // A leaf that outlives its CA would fail verification anyway; end it with the CA.
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        return build(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), certificate.getPublicKey(),
                subject, subjectKey, key, now.minus(BACKDATE), notAfter, false, usagesFor(keyUsages, subjectKey),
                extendedUsages, sans);
    }

    /**
     * Signs a PKCS#10 request (PEM) after checking its signature and that its subject satisfies the rule.
     * The certificate carries only the usages given here, never ones the request asks for.
     */
    public X509Certificate sign(String csrPem, SubjectRule rule, Set<ExtendedUsage> usages, Duration validity, Instant now) {
        CertificateRequest request = CertificateRequest.parse(csrPem);
        rule.check(request);
        Set<KeyUsage> keyUsages = Set.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT);
        return issue(subject(request.commonName(), request.organizations()), request.publicKey(), keyUsages,
                usages, request.subjectAltNames(), validity, now);
    }

    static X500Name subject(String commonName, List<String> organizations) {
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        organizations.forEach(organization -> builder.addRDN(BCStyle.O, organization));
        builder.addRDN(BCStyle.CN, commonName);
        return builder.build();
    }

    /** Key encipherment is dropped for non-RSA keys, whatever was asked, as it means nothing for them. */
    private static Set<KeyUsage> usagesFor(Set<KeyUsage> wanted, PublicKey subjectKey) {
        if (subjectKey.getAlgorithm().equals("RSA")) {
            return wanted;
        }
        return wanted.stream().filter(usage -> usage != KeyUsage.KEY_ENCIPHERMENT)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static X509Certificate build(X500Name issuer, PublicKey issuerKey, X500Name subject, PublicKey subjectKey,
                                         PrivateKey signingKey, Instant notBefore, Instant notAfter, boolean ca,
                                         Set<KeyUsage> keyUsages, Set<ExtendedUsage> extendedUsages,
                                         SubjectAltNames sans) {
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca))
                    .addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(bits(keyUsages)))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(issuerKey));
            if (!extendedUsages.isEmpty()) {
                KeyPurposeId[] purposes = extendedUsages.stream().sorted().map(ExtendedUsage::purpose)
                        .toArray(KeyPurposeId[]::new);
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            }
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
            }
            var signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(signingKey)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new PkiException("cannot issue certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static GeneralNames generalNames(SubjectAltNames sans) {
        List<GeneralName> names = new ArrayList<>();
        sans.dnsNames().forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        sans.ipAddresses().forEach(address -> names.add(new GeneralName(GeneralName.iPAddress, address)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static int bits(Set<KeyUsage> usages) {
        return usages.stream().mapToInt(KeyUsage::bouncyCastleBit).reduce(0, (a, b) -> a | b);
    }

    /** 128 random bits, positive and never zero. */
    private static BigInteger serial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

}
