package dev.slipway.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The CA certificates a TLS peer is checked against; nothing else is trusted (not the JDK's defaults). */
public record TrustedCertificates(List<X509Certificate> authorities) {

    public TrustedCertificates {
        authorities = List.copyOf(authorities);
        if (authorities.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted CA certificate is needed");
        }
    }

    /** Every certificate of a PEM file (a CA bundle may hold several). */
    public static TrustedCertificates load(Path caFile) {
        return new TrustedCertificates(Pem.readCertificates(caFile));
    }

    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build a trust store: " + e.getMessage(), e);
        }
    }

    public TrustManagerFactory trustManagerFactory() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore());
            return factory;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build trust managers: " + e.getMessage(), e);
        }
    }

    /** A client TLS context without a client certificate, trusting only these CAs. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
