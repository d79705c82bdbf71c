package dev.slipway.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private key and its certificate chain (leaf first), as a TLS server or client presents them.
 * The one place where PEM files become JDK key managers and SSL contexts.
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain) {

    private static final char[] NO_PASSWORD = new char[0];

    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least one certificate");
        }
        if (!KeyPairs.matches(key, chain.getFirst().getPublicKey())) {
            throw new PkiException("the private key does not belong to certificate " + chain.getFirst().getSubjectX500Principal());
        }
    }

    /** Reads a PEM certificate file (leaf first, then any intermediates) and its PEM private key. */
    public static TlsIdentity load(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = Pem.readCertificates(certificateFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!KeyPairs.matches(key, chain.getFirst().getPublicKey())) {
            throw new PkiException(keyFile + ": is not the private key of " + certificateFile);
        }
        return new TlsIdentity(key, chain);
    }

    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** An in-memory PKCS#12 key store holding this identity under the alias {@code identity}, password empty. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("identity", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
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
