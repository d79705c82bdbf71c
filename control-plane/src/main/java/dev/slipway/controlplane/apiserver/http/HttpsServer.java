package dev.slipway.controlplane.apiserver.http;

import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
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
    private final String what;

    private HttpsServer(Server server, ServerConnector connector, String what) {
        this.server = server;
        this.connector = connector;
        this.what = what;
    }

    /**
     * Starts serving; the API server and the kubelet API both serve this way.
     *
     * @param what        names the server in errors and its threads, e.g. {@code "the API server"}
     * @param threadName  the prefix of its Jetty threads
     * @param idleTimeout how long a quiet connection or WebSocket stays open, or null for Jetty's default
     * @param handler     the server's handler, given the server's WebSocket container for upgrades
     */
    public static HttpsServer start(String what, String threadName, String host, int port, Path certPem, Path keyPem, Path clientCaPem,
                                    Duration idleTimeout, Function<ServerWebSocketContainer, Handler> handler) {
        ServerConnector connector = connector(threadName, host, port, certPem, keyPem, clientCaPem);
        Server server = connector.getServer();
        server.addConnector(connector);
        ServerWebSocketContainer websockets = ServerWebSocketContainer.ensure(server);
        if (idleTimeout != null) {
            connector.setIdleTimeout(idleTimeout.toMillis());
            websockets.setIdleTimeout(idleTimeout);
        }
        server.setHandler(handler.apply(websockets));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException(what + " cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new HttpsServer(server, connector, what);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(what + " did not stop cleanly", e);
        }
    }

    /**
     * A Jetty server on virtual threads with one HTTPS/1.1 connector that asks for (but does not require)
     * a client certificate from {@code clientCaPem}; neither is started.
     */
    private static ServerConnector connector(String threadName, String host, int port, Path certPem, Path keyPem,
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
