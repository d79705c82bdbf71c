package dev.slipway.controlplane.apiserver;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.http.ApiHandler;
import dev.slipway.controlplane.apiserver.http.HttpsServer;
import dev.slipway.controlplane.apiserver.kubelet.PodStreams;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.ResourceRegistry;
import dev.slipway.controlplane.apiserver.rest.NamespaceFinalizer;
import dev.slipway.controlplane.apiserver.rest.NamespaceLifecycle;
import dev.slipway.controlplane.apiserver.rest.ObjectRest;
import dev.slipway.controlplane.apiserver.rest.Query;
import dev.slipway.controlplane.apiserver.rest.ServiceAllocations;
import dev.slipway.controlplane.apiserver.rest.TokenRequests;
import dev.slipway.controlplane.apiserver.rest.WatchSession;
import dev.slipway.controlplane.auth.AccessControl;
import dev.slipway.controlplane.auth.AccessControlConfig;
import dev.slipway.controlplane.auth.Authenticator;
import dev.slipway.controlplane.auth.Authorizer;
import dev.slipway.controlplane.auth.TokenIssuer;
import dev.slipway.controlplane.storage.EtcdObjectStore;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.SecretEncryption;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Kubernetes-compatible API server: HTTPS on Jetty, Kubernetes REST semantics on etcd,
 * authentication and authorization from the auth package. Started in-process on every master.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** A quiet connection's life: longer than any watch lasts (30 min at most), and an interactive pods/exec shell may idle as long. */
    private static final Duration STREAM_IDLE_TIMEOUT = Duration.ofMinutes(35);

    private final HttpsServer https;
    private final NamespaceFinalizer namespaceFinalizer;
    private final List<AutoCloseable> owned;
    private final String host;

    private ApiServer(HttpsServer https, NamespaceFinalizer namespaceFinalizer, List<AutoCloseable> owned, String host) {
        this.https = https;
        this.namespaceFinalizer = namespaceFinalizer;
        this.owned = owned;
        this.host = host;
    }

    /** Connects to etcd, starts authentication and authorization, and serves. */
    public static ApiServer start(ApiServerConfig config) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            ObjectStore store = EtcdObjectStore.connect(config.etcd(), SecretEncryption.load(config.encryptionKeyFile()),
                    EtcdObjectStore.Settings.defaults().withWatchIndex("pods", WatchSession.PODS_BY_NODE));
            owned.add(store);
            AccessControl access = AccessControl.start(store, AccessControlConfig.withDefaults(config.serviceAccountPublicKey()));
            owned.add(access);
            return start(config, store, access.authenticator(), access.authorizer(), owned);
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /** Serves on a store and with an authenticator and authorizer the caller owns (and closes). */
    public static ApiServer start(ApiServerConfig config, ObjectStore store, Authenticator authenticator, Authorizer authorizer) {
        return start(config, store, authenticator, authorizer, new ArrayList<>());
    }

    private static ApiServer start(ApiServerConfig config, ObjectStore store, Authenticator authenticator, Authorizer authorizer,
                                   List<AutoCloseable> owned) {
        ResourceRegistry registry = ResourceRegistry.builtIn();
        ServiceAllocations allocations = new ServiceAllocations(store, config.serviceCidr(), config.nodePortFirst(), config.nodePortLast());
        NamespaceLifecycle namespaces = NamespaceLifecycle.start(store);
        // Closed before the store it watches (owned closes in reverse order).
        owned.add(namespaces);
        NamespaceFinalizer finalizer = null;
        try {
            ObjectRest rest = new ObjectRest(store, registry, allocations, namespaces);
            bootstrap(rest, allocations);
            finalizer = new NamespaceFinalizer(rest);
            ApiHandler handler = new ApiHandler(rest, authenticator, authorizer,
                    new PodStreams(rest, config.kubeletClientCertPem(), config.kubeletClientKeyPem(), config.clientCaPem()),
                    tokenRequests(rest, config));
            HttpsServer https = HttpsServer.start("the API server", "apiserver", config.bindAddress(), config.port(),
                    config.servingCertPem(), config.servingKeyPem(), config.clientCaPem(), STREAM_IDLE_TIMEOUT, websockets -> handler);
            LOG.info("API server listening on {}:{}", config.bindAddress(), https.port());
            return new ApiServer(https, finalizer, owned, config.bindAddress());
        } catch (RuntimeException e) {
            if (finalizer != null) {
                finalizer.close();
            }
            namespaces.close();
            throw e;
        }
    }

    /** Tokens signed with the key beside the service-account public key, read on the first request (and again until it can be read). */
    private static TokenRequests tokenRequests(ObjectRest rest, ApiServerConfig config) {
        AtomicReference<TokenIssuer> loaded = new AtomicReference<>();
        Supplier<TokenIssuer> issuer = () -> loaded.updateAndGet(known -> known != null ? known
                : TokenIssuer.fromKeyFiles(config.serviceAccountSigningKey(), config.serviceAccountPublicKey(), TokenIssuer.DEFAULT_ISSUER));
        return new TokenRequests(rest, issuer, List.of(TokenIssuer.DEFAULT_ISSUER), Clock.systemUTC());
    }

    /** The namespaces and the {@code kubernetes} service every cluster has; creating what is missing. */
    private static void bootstrap(ObjectRest rest, ServiceAllocations allocations) {
        ResourceDescriptor namespaces = rest.registry().find("", "v1", "namespaces").orElseThrow();
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            ObjectNode namespace = Json.object();
            Json.metadata(namespace).put("name", name);
            createIfMissing(rest, namespaces, "", namespace);
        }
        ResourceDescriptor services = rest.registry().find("", "v1", "services").orElseThrow();
        ObjectNode service = Json.object();
        ObjectNode metadata = Json.metadata(service);
        metadata.put("name", "kubernetes");
        Json.child(metadata, "labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = Json.child(service, "spec");
        spec.put("type", "ClusterIP");
        spec.put("clusterIP", allocations.firstAddress());
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP").put("targetPort", 6443);
        createIfMissing(rest, services, "default", service);
    }

    private static void createIfMissing(ObjectRest rest, ResourceDescriptor resource, String namespace, ObjectNode object) {
        try {
            rest.get(resource, namespace, Json.textOr(object, "", "metadata", "name"), "");
        } catch (ApiError missing) {
            try {
                rest.create(resource, namespace, object, Query.empty(), "slipway-apiserver");
            } catch (ApiError e) {
                if (e.code() != 409 && e.code() != 422) {
                    throw e;
                }
            }
        }
    }

    public int port() {
        return https.port();
    }

    /** e.g. {@code https://127.0.0.1:6443}. */
    public URI url() {
        String address = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return URI.create("https://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port());
    }

    @Override
    public void close() {
        namespaceFinalizer.close();
        https.close();
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resources.get(i), e.getMessage());
            }
        }
    }
}
