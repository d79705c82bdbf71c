package dev.slipway.controlplane.apiserver.kubelet;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.rest.ObjectRest;
import dev.slipway.controlplane.apiserver.rest.Query;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import tools.jackson.databind.JsonNode;

/**
 * The pod subresources the kubelet serves, proxied to the pod's node: {@code pods/log} as a
 * (streamed) HTTP body, {@code pods/exec} as a WebSocket bridged frame for frame, with the
 * channel subprotocol ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}) the kubelet chose.
 * The caller has authorized the request already.
 */
public final class PodStreams {

    /** The pods subresources served here. */
    public static final Set<String> SUBRESOURCES = Set.of("log", "exec", "attach");

    private static final int DEFAULT_KUBELET_PORT = 10250;
    private static final Set<String> CHANNEL_PROTOCOLS = Set.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    private static final String SPDY_REFUSED = "this API server serves pods/exec over WebSocket only (subprotocols "
            + "v5.channel.k8s.io, v4.channel.k8s.io), not SPDY; kubectl 1.30+ speaks WebSocket unless "
            + "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, and falls back to SPDY only when the WebSocket upgrade failed";

    private final ObjectRest rest;
    private final KubeletClient kubelets;

    public PodStreams(ObjectRest rest, Path kubeletClientCertPem, Path kubeletClientKeyPem, Path clusterCaPem) {
        this.rest = rest;
        this.kubelets = new KubeletClient(kubeletClientCertPem, kubeletClientKeyPem, clusterCaPem);
    }

    /** Serves {@code subresource} (one of {@link #SUBRESOURCES}) of pod {@code namespace/name}; failures throw {@link ApiError}. */
    public void serve(Request request, Response response, Callback callback, String namespace, String name, String subresource, Query query) {
        switch (subresource) {
            case "log" -> log(request, response, callback, locate(namespace, name, query.get("container")), query);
            case "exec" -> exec(request, response, callback, locate(namespace, name, query.get("container")));
            default -> throw ApiError.badRequest("pods/" + subresource + " is not supported by this API server; use pods/exec or pods/log");
        }
    }

    // ---------------------------------------------------------------- where the container runs

    /** A pod's container on its node's kubelet API. */
    private record Target(String namespace, String pod, String container, String address, int port) {
        URI uri(String scheme, String prefix, String rawQuery) {
            String host = address.contains(":") ? "[" + address + "]" : address;
            return URI.create(scheme + "://" + host + ":" + port + prefix + "/" + namespace + "/" + pod + "/" + container
                    + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        }
    }

    private Target locate(String namespace, String name, String requestedContainer) {
        JsonNode pod = rest.get(resource("pods"), namespace, name, "").body();
        String nodeName = Json.textOr(pod, "", "spec", "nodeName");
        if (nodeName.isEmpty()) {
            throw ApiError.badRequest("pod " + name + " does not have a host assigned");
        }
        List<String> containers = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asString("")));
        String container = requestedContainer;
        if (container.isEmpty()) {
            if (containers.size() != 1) {
                throw ApiError.badRequest("a container name must be specified for pod " + name + ", choose one of: " + containers);
            }
            container = containers.getFirst();
        } else if (!containers.contains(container)) {
            throw ApiError.badRequest("container " + container + " is not valid for pod " + name);
        }
        JsonNode node = rest.get(resource("nodes"), "", nodeName, "").body();
        String address = "";
        for (JsonNode entry : node.path("status").path("addresses")) {
            if (entry.path("type").asString("").equals("InternalIP")) {
                address = entry.path("address").asString("");
                break;
            }
        }
        if (address.isEmpty()) {
            throw ApiError.badRequest("node " + nodeName + " of pod " + name + " has no InternalIP address to reach its kubelet at");
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        return new Target(namespace, name, container, address, port > 0 ? port : DEFAULT_KUBELET_PORT);
    }

    private ResourceDescriptor resource(String plural) {
        return rest.registry().find("", "v1", plural).orElseThrow();
    }

    // ---------------------------------------------------------------- pods/log

    private void log(Request request, Response response, Callback callback, Target target, Query query) {
        if (!request.getMethod().equals("GET")) {
            throw ApiError.methodNotAllowed(request.getMethod() + " is not supported on pods/log");
        }
        List<String> parameters = new ArrayList<>();
        if (query.flag("follow")) {
            parameters.add("follow=true");
        }
        if (query.flag("previous")) {
            parameters.add("previous=true");
        }
        if (!query.get("tailLines").isEmpty()) {
            parameters.add("tailLines=" + query.number("tailLines", -1));
        }
        URI uri = target.uri("https", "/containerLogs", String.join("&", parameters));
        HttpResponse<InputStream> reply;
        try {
            reply = kubelets.http().send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted while reaching the kubelet at " + uri.getAuthority());
        }
        try (InputStream in = reply.body()) {
            if (reply.statusCode() != 200) {
                throw refused(reply.statusCode(), new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip(), target);
            }
            // A follow blocks in read() while the container is quiet; a client that leaves ends it.
            request.addFailureListener(failure -> closeQuietly(in));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            OutputStream out = Content.Sink.asOutputStream(response);
            byte[] buffer = new byte[16384];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            out.close();
            callback.succeeded();
        } catch (IOException e) {
            // the client or the kubelet went away mid-stream
            callback.failed(e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing only to stop a read
        }
    }

    // ---------------------------------------------------------------- pods/exec

    private void exec(Request request, Response response, Callback callback, Target target) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            throw new ApiError(400, "BadRequest", SPDY_REFUSED, target.pod(), "", "pods", List.of());
        }
        List<String> offered = new ArrayList<>();
        for (String value : request.getHeaders().getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
            for (String protocol : value.split(",")) {
                if (!protocol.isBlank()) {
                    offered.add(protocol.strip());
                }
            }
        }
        if (offered.isEmpty()) {
            throw ApiError.badRequest("pods/exec needs a Sec-WebSocket-Protocol, e.g. v5.channel.k8s.io or v4.channel.k8s.io");
        }
        String rawQuery = request.getHttpURI().getQuery() == null ? "" : request.getHttpURI().getQuery();
        URI uri = target.uri("wss", "/exec", withContainer(rawQuery, target.container()));
        ExecBridge bridge = new ExecBridge(target.namespace() + "/" + target.pod() + "/" + target.container());
        ServerWebSocketContainer websockets = ServerWebSocketContainer.get(request.getContext());
        WebSocket kubelet;
        try {
            kubelet = connect(uri, offered, bridge, target);
        } catch (ApiError refused) {
            // kubectl takes a failed upgrade for "no WebSocket here" and retries with SPDY, hiding the reason; the status channel shows it.
            Optional<String> channel = offered.stream().filter(CHANNEL_PROTOCOLS::contains).findFirst();
            if (channel.isEmpty() || !websockets.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
                upgradeResponse.setAcceptedSubProtocol(channel.get());
                return new ExecBridge.Refusal(Json.bytes(refused.toStatus()));
            }, request, response, callback)) {
                throw refused;
            }
            return;
        }
        String chosen = kubelet.getSubprotocol();
        boolean upgraded;
        try {
            upgraded = websockets.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
                if (!chosen.isEmpty()) {
                    upgradeResponse.setAcceptedSubProtocol(chosen);
                }
                return bridge.clientEndpoint();
            }, request, response, callback);
        } catch (RuntimeException e) {
            kubelet.abort();
            throw e;
        }
        if (!upgraded) {
            kubelet.abort();
            throw ApiError.badRequest("pods/exec: the WebSocket upgrade was not accepted (Connection: Upgrade and Sec-WebSocket-Key needed)");
        }
    }

    private WebSocket connect(URI uri, List<String> offered, ExecBridge bridge, Target target) {
        try {
            return kubelets.http().newWebSocketBuilder().connectTimeout(HANDSHAKE_TIMEOUT)
                    .subprotocols(offered.getFirst(), offered.subList(1, offered.size()).toArray(String[]::new))
                    .buildAsync(uri, bridge.kubeletListener()).get(HANDSHAKE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                Object body = handshake.getResponse().body();
                String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8).strip()
                        : body == null ? "" : body.toString().strip();
                throw refused(handshake.getResponse().statusCode(), text, target);
            }
            throw unreachable(target, e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted while reaching the kubelet at " + target.address() + ":" + target.port());
        }
    }

    /** The client's query with the container the API server settled on (the kubelet names it in the path). */
    private static String withContainer(String rawQuery, String container) {
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (!pair.isEmpty() && !pair.startsWith("container=")) {
                kept.add(pair);
            }
        }
        kept.add("container=" + URLEncoder.encode(container, StandardCharsets.UTF_8));
        return String.join("&", kept);
    }

    // ---------------------------------------------------------------- errors

    private static ApiError unreachable(Target target, Throwable cause) {
        return new ApiError(500, "InternalError", "cannot reach the kubelet of pod " + target.namespace() + "/" + target.pod() + " at "
                + target.address() + ":" + target.port() + ": " + cause, target.pod(), "", "pods", List.of());
    }

    private static ApiError refused(int code, String message, Target target) {
        String detail = message.isEmpty() ? "the kubelet answered " + code : message;
        return switch (code) {
            case 404 -> new ApiError(404, "NotFound", detail, target.pod(), "", "pods", List.of());
            case 401, 403 -> new ApiError(500, "InternalError", "the kubelet at " + target.address() + ":" + target.port()
                    + " refused the API server's kubelet client certificate: " + detail, target.pod(), "", "pods", List.of());
            default -> new ApiError(code >= 500 ? 500 : 400, code >= 500 ? "InternalError" : "BadRequest", detail, target.pod(), "",
                    "pods", List.of());
        };
    }
}
