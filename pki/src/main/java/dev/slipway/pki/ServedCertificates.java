package dev.slipway.pki;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate chain a TLS server presents, read for inspection only ({@code certs check}
 * compares it with the files). The chain is recorded, not trusted: no data is exchanged.
 */
public final class ServedCertificates {

    private ServedCertificates() {
    }

    /** The chain served at the address, without presenting a client certificate. */
    public static List<X509Certificate> fetch(InetSocketAddress address, Duration timeout) {
        return fetch(address, new KeyManager[0], timeout);
    }

    /** The chain served at the address, presenting a client certificate (servers that require one). */
    public static List<X509Certificate> fetch(InetSocketAddress address, TlsIdentity client, Duration timeout) {
        return fetch(address, client.keyManagerFactory().getKeyManagers(), timeout);
    }

    private static List<X509Certificate> fetch(InetSocketAddress address, KeyManager[] keyManagers, Duration timeout) {
        AtomicReference<List<X509Certificate>> served = new AtomicReference<>(List.of());
        X509TrustManager recorder = new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                served.set(List.of(chain));
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException("only reads what a server presents");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new X509TrustManager[] {recorder}, null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(address, millis);
                socket.setSoTimeout(millis);
                socket.startHandshake();
            } catch (SSLException e) {
                // The server may refuse us after presenting its chain (e.g. it wants another client certificate).
                if (served.get().isEmpty()) {
                    throw new PkiException(address + ": TLS handshake failed before a certificate was served: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new PkiException(address + ": cannot connect: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot set up TLS: " + e.getMessage(), e);
        }
        return served.get();
    }
}
