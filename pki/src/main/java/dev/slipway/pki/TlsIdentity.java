package dev.slipway.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private key and its certificate chain (leaf first), as a TLS server or client presents them.
 * The one place where PEM files become JDK key managers and SSL contexts.
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain) {

    private static final char[] NO_PASSWORD = new char[0];
    /**
     * How {@link #keyStore()} wraps the key. The store never leaves memory and its password is empty,
     * so the wrapping protects nothing; at the JDK's default (PBKDF2 with 10,000 rounds of HMAC-SHA256,
     * once to store the key and once to read it back) it cost 0.17-0.31 s of CPU per TLS context, and an
     * agent builds about ten of them while it starts.
     */
    private static final KeyStore.ProtectionParameter IN_MEMORY_ONLY =
            new KeyStore.PasswordProtection(NO_PASSWORD, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(new byte[16], 1));

    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least one certificate");
        }
        if (!KeyPairs.matches(key, chain.getFirst().getPublicKey())) {
            throw new KeyMismatch(chain.getFirst());
        }
        key = namedAsCertificateKey(key, chain.getFirst().getPublicKey());
    }

    /** Reads a PEM certificate file (leaf first, then any intermediates) and its PEM private key. */
    public static TlsIdentity load(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = Pem.readCertificates(certificateFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        try {
            return new TlsIdentity(key, chain);
        } catch (KeyMismatch e) {
            throw new PkiException(keyFile + ": is not the private key of " + certificateFile, e);
        }
    }

    /** A key that is not its certificate's: the constructor checks (a signature made and verified), {@link #load} names the files. */
    private static final class KeyMismatch extends PkiException {
        KeyMismatch(X509Certificate certificate) {
            super("the private key does not belong to certificate " + certificate.getSubjectX500Principal());
        }
    }

    /**
     * The key under the algorithm name of the certificate's key: Bouncy Castle, once registered (MINA
     * SSHD does it), reads EC keys as "ECDSA" where the JDK's certificates say "EC", and a key store
     * refuses an entry whose names differ.
     */
    private static PrivateKey namedAsCertificateKey(PrivateKey key, PublicKey certificateKey) {
        if (key.getAlgorithm().equals(certificateKey.getAlgorithm())) {
            return key;
        }
        try {
            return KeyFactory.getInstance(certificateKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot read the " + key.getAlgorithm() + " private key as " + certificateKey.getAlgorithm()
                    + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** An in-memory PKCS#12 key store holding this identity under the alias {@code identity}, password empty; never to be saved. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setEntry("identity", new KeyStore.PrivateKeyEntry(key, chain.toArray(X509Certificate[]::new)), IN_MEMORY_ONLY);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build a key store for " + certificate().getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }

    /** The password of {@link #keyStore()}: empty. */
    public char[] keyStorePassword() {
        return NO_PASSWORD.clone();
    }

    public KeyManagerFactory keyManagerFactory() {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore(), NO_PASSWORD);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build key managers: " + e.getMessage(), e);
        }
    }

    /**
     * A TLS context that presents this identity and trusts only the given CAs: a server that checks
     * client certificates against them, or a client of a server they signed. Clients still turn on
     * host name checking themselves ({@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}).
     */
    public SSLContext sslContext(TrustedCertificates trusted) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagerFactory().getKeyManagers(), trusted.trustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
