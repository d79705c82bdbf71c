package dev.slipway.controlplane.apiserver.http;

import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/** Jetty 12 serving HTTPS/1.1 from PEM files, client certificates requested (not required), requests on virtual threads. */
public final class HttpsServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private HttpsServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static HttpsServer start(String host, int port, Path certPem, Path keyPem, Path clientCaPem,
                                    org.eclipse.jetty.server.Handler handler) {
        ServerConnector connector = connector("apiserver", host, port, certPem, keyPem, clientCaPem);
        Server server = connector.getServer();
        connector.setIdleTimeout(Duration.ofMinutes(35).toMillis());
        server.addConnector(connector);
        // pods/exec upgrades to a WebSocket; an interactive shell may sit idle as long as any watch.
        ServerWebSocketContainer.ensure(server).setIdleTimeout(Duration.ofMinutes(35));
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("API server could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new HttpsServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("API server did not stop cleanly", e);
        }
    }

    /**
     * A Jetty server on virtual threads with one HTTPS/1.1 connector that asks for (but does not require)
     * a client certificate from {@code clientCaPem}; neither is started. The API server and the kubelet
     * API both serve this way.
     */
    public static ServerConnector connector(String threadName, String host, int port, Path certPem, Path keyPem,
                                            Path clientCaPem) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(threadName);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);

        SslContextFactory.Server tls = new SslContextFactory.Server();
        TlsIdentity identity = TlsIdentity.load(certPem, keyPem);
        tls.setKeyStore(identity.keyStore());
        tls.setKeyStorePassword(new String(identity.keyStorePassword()));
        tls.setTrustStore(TrustedCertificates.load(clientCaPem).trustStore());
        tls.setWantClientAuth(true);
        tls.setEndpointIdentificationAlgorithm(null);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach the server by IP or by any of its names; the certificate's SANs are the client's concern.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);

        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
