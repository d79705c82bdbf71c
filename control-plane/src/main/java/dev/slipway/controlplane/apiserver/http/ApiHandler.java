package dev.slipway.controlplane.apiserver.http;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.discovery.Discovery;
import dev.slipway.controlplane.apiserver.discovery.OpenApi;
import dev.slipway.controlplane.apiserver.kubelet.PodStreams;
import dev.slipway.controlplane.apiserver.patch.PatchType;
import dev.slipway.controlplane.apiserver.protobuf.ProtobufBody;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.rest.ObjectRest;
import dev.slipway.controlplane.apiserver.rest.Query;
import dev.slipway.controlplane.apiserver.rest.Reply;
import dev.slipway.controlplane.apiserver.rest.TokenRequests;
import dev.slipway.controlplane.apiserver.rest.WatchSession;
import dev.slipway.controlplane.apiserver.table.Tables;
import dev.slipway.controlplane.auth.Authenticator;
import dev.slipway.controlplane.auth.Authorizer;
import dev.slipway.controlplane.auth.Credentials;
import dev.slipway.controlplane.auth.Decision;
import dev.slipway.controlplane.auth.RequestAttributes;
import dev.slipway.controlplane.auth.UserInfo;
import dev.slipway.controlplane.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request pipeline: credentials, authentication, resolving the request, authorization, then
 * discovery, OpenAPI, health, or the resource operation; every failure becomes a {@code Status}.
 */
public final class ApiHandler extends Handler.Abstract {

    /** Kubernetes' limit on a request body. */
    public static final long MAX_BODY = 3L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** What kubectl before 1.23 asks for on {@code /openapi/v2}. */
    private static final String OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    private static final Set<String> PUBLIC_PATHS = Set.of("/healthz", "/livez", "/readyz", "/version");
    private static final Duration LONGEST_WATCH = Duration.ofMinutes(30);
    private static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", List.of("system:unauthenticated"), "", Map.of());

    private final ObjectRest rest;
    private final Discovery discovery;
    private final OpenApi openApi;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final PodStreams podStreams;
    private final TokenRequests tokens;

    public ApiHandler(ObjectRest rest, Authenticator authenticator, Authorizer authorizer, PodStreams podStreams, TokenRequests tokens) {
        super(InvocationType.BLOCKING);
        this.rest = rest;
        this.podStreams = podStreams;
        this.tokens = tokens;
        this.discovery = new Discovery(rest.registry());
        this.openApi = new OpenApi(rest.registry());
        this.authenticator = authenticator;
        this.authorizer = authorizer;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        try {
            UserInfo user = authenticate(request, path);
            ApiRequest api = ApiRequest.resolve(request.getMethod(), path, query(request));
            if (!PUBLIC_PATHS.contains(path)) {
                authorize(user, api);
            }
            if (api.resourceRequest()) {
                serveResource(request, response, callback, api, user);
            } else {
                serveNonResource(request, response, callback, api);
            }
        } catch (ApiError error) {
            send(response, callback, error.code(), error.toStatus(), List.of());
        } catch (StorageException.Unavailable e) {
            send(response, callback, 503, ApiError.unavailable("storage is unavailable: " + e.getMessage()).toStatus(), List.of());
        } catch (StorageException.Expired e) {
            send(response, callback, 410, ApiError.gone(e.getMessage()).toStatus(), List.of());
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", request.getMethod(), path, e);
            send(response, callback, 500, ApiError.internal(String.valueOf(e.getMessage())).toStatus(), List.of());
        }
        return true;
    }

    private UserInfo authenticate(Request request, String path) {
        List<java.security.cert.X509Certificate> chain = List.of();
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl && ssl.peerCertificates() != null) {
            chain = List.of(ssl.peerCertificates());
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        Optional<String> token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? Optional.of(authorization.substring(7)) : Optional.empty();
        Optional<UserInfo> user = authenticator.authenticate(new Credentials(chain, token));
        if (user.isPresent()) {
            return user.get();
        }
        if (PUBLIC_PATHS.contains(path)) {
            return ANONYMOUS;
        }
        throw ApiError.unauthorized();
    }

    private void authorize(UserInfo user, ApiRequest api) {
        RequestAttributes attributes = api.resourceRequest()
                ? new RequestAttributes(user, api.verb(), api.group(), api.version(), api.resource(), api.subresource(),
                api.namespace(), api.name(), true, api.path(), api.query().get("fieldSelector"))
                : RequestAttributes.nonResource(user, api.verb(), api.path());
        Decision decision = authorizer.authorize(attributes);
        if (!decision.allowed()) {
            String reason = decision instanceof Decision.Deny deny && !deny.reason().isEmpty() ? ": " + deny.reason() : "";
            String message = api.resourceRequest()
                    ? (api.group().isEmpty() ? api.resource() : api.resource() + "." + api.group())
                    + (api.name().isEmpty() ? "" : " \"" + api.name() + "\"") + " is forbidden: User \"" + user.name()
                    + "\" cannot " + api.verb() + " resource \"" + api.resource()
                    + (api.subresource().isEmpty() ? "" : "/" + api.subresource()) + "\" in API group \"" + api.group() + "\""
                    + (api.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + api.namespace() + "\"") + reason
                    : "forbidden: User \"" + user.name() + "\" cannot " + api.verb() + " path \"" + api.path() + "\"" + reason;
            throw new ApiError(403, "Forbidden", message, api.name(), api.group(), api.resource(), List.of());
        }
    }

    // ---------------------------------------------------------------- resources

    private void serveResource(Request request, Response response, Callback callback, ApiRequest api, UserInfo user)
            throws ApiError {
        if (api.group().isEmpty() && api.resource().equals("pods") && !api.name().isEmpty() && !api.namespace().isEmpty()
                && PodStreams.SUBRESOURCES.contains(api.subresource())) {
            podStreams.serve(request, response, callback, api.namespace(), api.name(), api.subresource(), api.query());
            return;
        }
        ResourceDescriptor resource = rest.registry().find(api.group(), api.version(), api.resource())
                .orElseThrow(() -> ApiError.notFoundPath(api.path()));
        if (!api.subresource().isEmpty() && !resource.subresources().contains(api.subresource())) {
            throw ApiError.notFoundPath(api.path());
        }
        if (resource.namespaced() && api.namespace().isEmpty() && !Set.of("list", "watch").contains(api.verb())) {
            throw ApiError.notFoundPath(api.path());
        }
        if (!resource.namespaced() && !api.namespace().isEmpty() && !resource.kind().equals("Namespace")) {
            throw ApiError.notFoundPath(api.path());
        }
        String namespace = resource.kind().equals("Namespace") ? "" : api.namespace();
        Query query = api.query();
        String manager = fieldManager(request, query);
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        boolean websocket = upgrade != null && upgrade.toLowerCase().contains("websocket");
        if (websocket && !api.verb().equals("watch")) {
            throw ApiError.badRequest("only watches are served over a WebSocket here, not " + api.verb());
        }
        Reply reply = switch (api.verb()) {
            case "get" -> rest.get(resource, namespace, api.name(), api.subresource());
            case "list" -> rest.list(resource, namespace, query);
            case "watch" -> {
                watch(request, response, callback, resource, namespace, api, accept, websocket);
                yield null;
            }
            case "create" -> {
                if (api.name().isEmpty()) {
                    yield rest.create(resource, namespace, withRequester(resource, body(request), user), query, manager);
                }
                yield resource.kind().equals("ServiceAccount") && api.subresource().equals("token")
                        ? tokens.create(namespace, api.name(), body(request))
                        : rest.createSubresource(resource, namespace, api.name(), api.subresource(), body(request), query, manager);
            }
            case "update" -> rest.update(resource, namespace, api.name(), api.subresource(), body(request), query, manager);
            case "patch" -> {
                String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                PatchType type = PatchType.of(contentType).orElseThrow(() -> ApiError.unsupportedMediaType(String.valueOf(contentType)));
                yield rest.patch(resource, namespace, api.name(), api.subresource(), type, bytes(request), query, manager);
            }
            case "delete" -> rest.delete(resource, namespace, api.name(), optionalBody(request), query);
            case "deletecollection" -> rest.deleteCollection(resource, namespace, optionalBody(request), query);
            default -> throw ApiError.methodNotAllowed(api.method() + " is not supported on " + api.path());
        };
        if (reply == null) {
            return;
        }
        JsonNode body = reply.body();
        if (Tables.wanted(accept) && reply.code() < 300 && (api.verb().equals("get") || api.verb().equals("list"))
                && api.subresource().isEmpty()) {
            JsonNode table = api.verb().equals("list")
                    ? Tables.of(resource, items(body), query.get("includeObject"), body.get("metadata"))
                    : Tables.of(resource, List.of((ObjectNode) body), query.get("includeObject"), null);
            send(response, callback, reply.code(), table, reply.warnings());
            return;
        }
        send(response, callback, reply.code(), reply.bodyBytes(), reply.warnings());
    }

    private void watch(Request request, Response response, Callback callback, ResourceDescriptor resource, String namespace,
                       ApiRequest api, String accept, boolean websocket) {
        Query query = api.query();
        long timeout = query.number("timeoutSeconds", LONGEST_WATCH.toSeconds());
        Instant deadline = Instant.now().plusSeconds(Math.max(1, Math.min(timeout, LONGEST_WATCH.toSeconds())));
        WatchSession session = rest.watch(resource, namespace, query);
        WatchStream stream = new WatchStream(session, resource, deadline, Tables.wanted(accept), query.get("includeObject"));
        if (websocket) {
            boolean upgraded;
            try {
                upgraded = ServerWebSocketContainer.get(request.getContext())
                        .upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> new WebSocketWatch(stream), request, response, callback);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            if (!upgraded) {
                session.close();
                throw ApiError.badRequest("the WebSocket upgrade of this watch failed");
            }
            return;
        }
        try (session) {
            request.addFailureListener(failure -> session.close());
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
            // Commit the headers now: clients (fabric8's informers) count a watch as started only when they arrive.
            Content.Sink.write(response, false, ByteBuffer.allocate(0));
            OutputStream out = Content.Sink.asOutputStream(response);
            stream.run(json -> {
                // One write per event: each write to the response is a chunk, a TLS record and a system call of its own.
                byte[] line = Arrays.copyOf(json, json.length + 1);
                line[json.length] = '\n';
                out.write(line);
                out.flush();
            });
            out.close();
            callback.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (IOException e) {
            // the client went away
            callback.failed(e);
        }
    }

    private static List<ObjectNode> items(JsonNode list) {
        List<ObjectNode> items = new ArrayList<>();
        list.path("items").forEach(item -> items.add((ObjectNode) item));
        return items;
    }

    private static String fieldManager(Request request, Query query) {
        String manager = query.get("fieldManager");
        if (!manager.isEmpty()) {
            return manager;
        }
        String agent = request.getHeaders().get(HttpHeader.USER_AGENT);
        if (agent == null || agent.isBlank()) {
            return "unknown";
        }
        String prefix = agent.split("/")[0].strip();
        return prefix.length() > 128 ? prefix.substring(0, 128) : prefix;
    }

    // ---------------------------------------------------------------- everything else

    private void serveNonResource(Request request, Response response, Callback callback, ApiRequest api) {
        String path = api.path().length() > 1 && api.path().endsWith("/") ? api.path().substring(0, api.path().length() - 1) : api.path();
        if (!api.method().equals("GET") && !api.method().equals("HEAD")) {
            throw ApiError.methodNotAllowed(api.method() + " is not supported on " + path);
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        switch (path) {
            case "/healthz", "/livez" -> sendText(response, callback, 200, "ok");
            case "/readyz" -> {
                try {
                    rest.store().currentRevision();
                    sendText(response, callback, 200, "ok");
                } catch (RuntimeException e) {
                    sendText(response, callback, 500, "[-]etcd failed: " + e.getMessage() + "\nreadyz check failed");
                }
            }
            case "/version" -> send(response, callback, 200, Discovery.version(), List.of());
            case "/api" -> send(response, callback, 200, discovery.coreVersions(request.getHttpURI().getAuthority()), List.of());
            case "/apis" -> send(response, callback, 200, discovery.groups(), List.of());
            case "/openapi/v2" -> {
                if (accept != null && accept.contains(OPENAPI_V2_PROTOBUF)) {
                    // Go's mime parser rejects the '@' of the requested type, so kube-apiserver answers it as octet-stream too.
                    sendBytes(response, callback, "application/octet-stream", openApi.v2Protobuf());
                } else if (accept != null && !accept.contains("json") && !accept.contains("*/*")) {
                    throw new ApiError(406, "NotAcceptable", "only application/json and " + OPENAPI_V2_PROTOBUF + " are served for /openapi/v2",
                            "", "", "", List.of());
                } else {
                    send(response, callback, 200, openApi.v2(), List.of());
                }
            }
            case "/openapi/v3" -> send(response, callback, 200, openApi.v3Index(), List.of());
            default -> {
                if (path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) {
                    sendText(response, callback, 200, "ok");
                } else if (path.startsWith("/openapi/v3/api/") || path.startsWith("/openapi/v3/apis/")) {
                    String groupVersion = path.substring(path.indexOf('/', "/openapi/v3/".length()) + 1);
                    send(response, callback, 200, openApi.v3(groupVersion).orElseThrow(() -> ApiError.notFoundPath(path)), List.of());
                } else if (path.startsWith("/api/")) {
                    send(response, callback, 200, discovery.resources("", path.substring(5)).orElseThrow(() -> ApiError.notFoundPath(path)),
                            List.of());
                } else if (path.startsWith("/apis/")) {
                    String[] parts = path.substring(6).split("/");
                    Optional<ObjectNode> document = parts.length == 1 ? discovery.group(parts[0])
                            : parts.length == 2 ? discovery.resources(parts[0], parts[1]) : Optional.empty();
                    send(response, callback, 200, document.orElseThrow(() -> ApiError.notFoundPath(path)), List.of());
                } else {
                    throw ApiError.notFoundPath(path);
                }
            }
        }
    }

    // ---------------------------------------------------------------- bodies and responses

    private static Query query(Request request) {
        Fields fields = Request.extractQueryParameters(request);
        Map<String, List<String>> parameters = new HashMap<>();
        for (Fields.Field field : fields) {
            parameters.put(field.getName(), field.getValues());
        }
        return new Query(parameters);
    }

    private static byte[] bytes(Request request) {
        long length = request.getLength();
        if (length > MAX_BODY) {
            throw ApiError.tooLarge(MAX_BODY);
        }
        try (InputStream in = Request.asInputStream(request)) {
            if (length >= 0) {
                // Sized by Content-Length: an open-ended read (a zeroed 16 KiB buffer, then a copy) was 3% of the request handler's samples.
                byte[] body = in.readNBytes((int) length);
                if (body.length < length) {
                    throw ApiError.badRequest("the request body ended after " + body.length + " of its " + length + " bytes");
                }
                return body;
            }
            byte[] body = in.readNBytes((int) MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw ApiError.tooLarge(MAX_BODY);
            }
            return body;
        } catch (IOException e) {
            throw ApiError.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    /** A CSR records who asked for it, whatever its body says, as Kubernetes does: the signer's approver trusts these fields. */
    private static JsonNode withRequester(ResourceDescriptor resource, JsonNode body, UserInfo user) {
        if (!resource.kind().equals("CertificateSigningRequest") || !(body instanceof ObjectNode object)) {
            return body;
        }
        ObjectNode spec = Json.child(object, "spec");
        spec.put("username", user.name());
        spec.put("uid", user.uid());
        var groups = spec.putArray("groups");
        user.groups().forEach(groups::add);
        spec.remove("extra");
        return object;
    }

    private static JsonNode body(Request request) {
        byte[] body = bytes(request);
        String contentType = String.valueOf(request.getHeaders().get(HttpHeader.CONTENT_TYPE)).split(";")[0].strip().toLowerCase();
        if (contentType.equals(ProtobufBody.MEDIA_TYPE)) {
            return ProtobufBody.toJson(body);
        }
        boolean yaml = switch (contentType) {
            case "application/json", "null", "" -> false;
            case "application/yaml", "application/x-yaml", "text/yaml" -> true;
            default -> throw ApiError.unsupportedMediaType(contentType);
        };
        return ObjectRest.parseBody(body, yaml);
    }

    private static JsonNode optionalBody(Request request) {
        byte[] body = bytes(request);
        // client-go's typed clients send DeleteOptions in the client's content type, protobuf included.
        if (body.length > 0 && String.valueOf(request.getHeaders().get(HttpHeader.CONTENT_TYPE)).startsWith(ProtobufBody.MEDIA_TYPE)) {
            return ProtobufBody.toJson(body);
        }
        return body.length == 0 ? Json.object() : ObjectRest.parseBody(body, false);
    }

    private static void send(Response response, Callback callback, int code, JsonNode body, List<String> warnings) {
        send(response, callback, code, Json.bytes(body), warnings);
    }

    private static void send(Response response, Callback callback, int code, byte[] json, List<String> warnings) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        for (String warning : warnings) {
            response.getHeaders().add("Warning", "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        response.write(true, ByteBuffer.wrap(json), callback);
    }

    private static void sendBytes(Response response, Callback callback, String contentType, byte[] body) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static void sendText(Response response, Callback callback, int code, String text) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
