package dev.slipway.controlplane.apiserver.kubelet;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exec: the client's WebSocket (Jetty, server side) and the kubelet's (JDK, client side),
 * copying whole messages both ways, one at a time in each direction so neither side is flooded,
 * and closing each side when the other closes. The channel bytes pass through untouched.
 * Public only because Jetty invokes the client endpoint's methods through a public lookup.
 */
public final class ExecBridge {

    private static final Logger LOG = LoggerFactory.getLogger(ExecBridge.class);
    // The kubelet's WebSocket times out when idle; an interactive shell may be quiet far longer.
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final String name;
    private final CompletableFuture<WebSocket> kubelet = new CompletableFuture<>();
    private volatile Session client;

    ExecBridge(String name) {
        this.name = name;
    }

    WebSocket.Listener kubeletListener() {
        return new FromKubelet();
    }

    Session.Listener clientEndpoint() {
        return new FromClient();
    }

    /** Kubelet to client; nothing is requested from the kubelet until the client's socket is open. */
    private final class FromKubelet implements WebSocket.Listener {
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            kubelet.complete(webSocket);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            message.writeBytes(bytes);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            ByteBuffer whole = ByteBuffer.wrap(message.toByteArray());
            message.reset();
            client.sendBinary(whole, Callback.from(() -> webSocket.request(1), failure -> {
                LOG.debug("exec {}: the client went away: {}", name, failure.getMessage());
                webSocket.abort();
            }));
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            client.sendPartialText(data.toString(), last, Callback.from(() -> webSocket.request(1), failure -> webSocket.abort()));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Session open = client;
            if (open != null && open.isOpen()) {
                open.close(statusCode == WebSocket.NORMAL_CLOSURE || (statusCode >= 3000 && statusCode <= 4999) ? statusCode
                        : WebSocket.NORMAL_CLOSURE, reason, Callback.NOOP);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.debug("exec {}: the kubelet's socket failed: {}", name, error.getMessage());
            Session open = client;
            if (open != null && open.isOpen()) {
                open.close(1011, "the kubelet's stream failed", Callback.NOOP);
            }
        }
    }

    /** Client to kubelet; Jetty asks for the next frame once the callback completes, that is once the kubelet took this one. */
    public final class FromClient implements Session.Listener.AutoDemanding {

        private FromClient() {
        }

        @Override
        public void onWebSocketOpen(Session session) {
            client = session;
            WebSocket socket = kubelet.join();
            socket.request(1);
            Thread.ofVirtual().name("exec-keepalive-" + name).start(() -> keepAlive(socket));
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            kubelet.join().sendBinary(copy, true).whenComplete((sent, failure) -> {
                if (failure == null) {
                    callback.succeed();
                } else {
                    callback.fail(failure);
                }
            });
        }

        @Override
        public void onWebSocketText(String text) {
            kubelet.join().sendText(text, true);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            WebSocket socket = kubelet.join();
            if (!socket.isOutputClosed()) {
                int code = statusCode == 1005 || statusCode == 1006 || statusCode < 1000 ? WebSocket.NORMAL_CLOSURE : statusCode;
                socket.sendClose(code, reason == null ? "" : reason).whenComplete((done, failure) -> {
                    if (failure != null) {
                        socket.abort();
                    }
                });
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            LOG.debug("exec {}: the client's socket failed: {}", name, cause.getMessage());
            kubelet.join().abort();
        }
    }

    /** An exec the kubelet refused: the client gets the reason as the final Status (channel 3), then the close. */
    public static final class Refusal implements Session.Listener {
        private final byte[] status;

        Refusal(byte[] status) {
            this.status = status;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            ByteBuffer frame = ByteBuffer.allocate(status.length + 1).put((byte) 3).put(status).flip();
            session.sendBinary(frame, Callback.from(() -> session.close(WebSocket.NORMAL_CLOSURE, "", Callback.NOOP),
                    failure -> session.close(1011, "", Callback.NOOP)));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // kubectl may hang up as soon as it has the Status
            LOG.debug("refused exec: the client's socket ended: {}", cause.toString());
        }
    }

    private void keepAlive(WebSocket socket) {
        try {
            while (!socket.isInputClosed() && !socket.isOutputClosed()) {
                Thread.sleep(KEEPALIVE);
                socket.sendPing(ByteBuffer.allocate(0));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("exec {}: keepalive ping failed: {}", name, e.getMessage());
        }
    }
}
