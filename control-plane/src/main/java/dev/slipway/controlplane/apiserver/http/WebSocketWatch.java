package dev.slipway.controlplane.apiserver.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch over a WebSocket, as fabric8's clients (and kubectl's proxy) open one by default: each
 * watch event is one text message; the server closes the socket normally when the watch ends, and
 * the client's close ends the watch. Public only because Jetty invokes the endpoint's methods
 * through a public lookup.
 */
public final class WebSocketWatch implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketWatch.class);

    private final WatchStream stream;

    WebSocketWatch(WatchStream stream) {
        this.stream = stream;
    }

    @Override
    public void onWebSocketOpen(Session socket) {
        Thread.ofVirtual().name("websocket-watch").start(() -> send(socket));
    }

    private void send(Session socket) {
        try {
            stream.run(event -> {
                Callback.Completable sent = new Callback.Completable();
                socket.sendText(new String(event, StandardCharsets.UTF_8), sent);
                try {
                    sent.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while sending a watch event", e);
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause());
                }
            });
            socket.close(StatusCode.NORMAL, "watch ended", Callback.NOOP);
        } catch (IOException e) {
            LOG.debug("WebSocket watch: the client went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stream.session().close();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        stream.session().close();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        stream.session().close();
    }
}
