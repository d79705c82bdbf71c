package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.auth.ServiceAccountToken;
import dev.slipway.controlplane.auth.TokenIssuer;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST serviceaccounts/<name>/token}: Kubernetes' TokenRequest (authentication.k8s.io/v1),
 * which {@code kubectl create token} sends. Answers a token signed with the cluster's service-account
 * key for a service account that exists, for the audiences asked (the API server's own when none),
 * valid for {@code expirationSeconds} (an hour when not given, never under ten minutes, as Kubernetes
 * checks), and bound to a pod when asked: such a token stops working when that pod is gone.
 */
public final class TokenRequests {

    static final long DEFAULT_SECONDS = 3600;
    static final long MIN_SECONDS = 600;

    private final ObjectRest rest;
    private final Supplier<TokenIssuer> issuer;
    private final List<String> defaultAudiences;
    private final Clock clock;

    /** {@code issuer} is asked on each request, so a server without the signing key still serves everything else. */
    public TokenRequests(ObjectRest rest, Supplier<TokenIssuer> issuer, List<String> defaultAudiences, Clock clock) {
        this.rest = rest;
        this.issuer = issuer;
        this.defaultAudiences = List.copyOf(defaultAudiences);
        this.clock = clock;
    }

    public Reply create(String namespace, String serviceAccountName, JsonNode body) {
        ObjectNode request = body instanceof ObjectNode object ? object.deepCopy() : Json.object();
        ObjectNode spec = Json.child(request, "spec");
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").valueStream().map(JsonNode::asString).filter(audience -> !audience.isEmpty()).forEach(audiences::add);
        if (audiences.isEmpty()) {
            audiences.addAll(defaultAudiences);
        }
        long seconds = spec.path("expirationSeconds").asLong(DEFAULT_SECONDS);
        if (seconds < MIN_SECONDS) {
            throw ApiError.invalid("authentication.k8s.io", "TokenRequest", serviceAccountName, List.of(new ApiError.Cause("FieldValueInvalid",
                    "spec.expirationSeconds", "Invalid value: " + seconds + ": may not specify a duration less than 10 minutes")));
        }
        ObjectNode account = object(resource("serviceaccounts"), namespace, serviceAccountName);
        ServiceAccountToken subject = ServiceAccountToken.of(namespace, serviceAccountName, Json.textOr(account, "", "metadata", "uid"));
        JsonNode bound = spec.path("boundObjectRef");
        if (bound.isObject()) {
            subject = boundTo(subject, (ObjectNode) bound, namespace, serviceAccountName);
        }
        TokenIssuer signer;
        try {
            signer = issuer.get();
        } catch (RuntimeException e) {
            throw ApiError.unavailable("this API server cannot sign service-account tokens: " + e.getMessage());
        }
        Duration lifetime = Duration.ofSeconds(seconds);
        String token = signer.issue(subject, audiences, lifetime);
        ArrayNode asked = spec.putArray("audiences");
        audiences.forEach(asked::add);
        spec.put("expirationSeconds", seconds);
        request.put("kind", "TokenRequest").put("apiVersion", "authentication.k8s.io/v1");
        ObjectNode metadata = Json.metadata(request);
        metadata.put("name", serviceAccountName).put("namespace", namespace);
        metadata.putNull("creationTimestamp");
        request.putObject("status").put("token", token)
                .put("expirationTimestamp", clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS).toString());
        return new Reply(201, request, List.of());
    }

    /** The subject bound to the pod the request names, which must exist (with the uid given, if one is). */
    private ServiceAccountToken boundTo(ServiceAccountToken subject, ObjectNode reference, String namespace, String serviceAccountName) {
        String kind = reference.path("kind").asString("");
        if (!kind.equals("Pod")) {
            throw ApiError.invalid("authentication.k8s.io", "TokenRequest", serviceAccountName, List.of(new ApiError.Cause("FieldValueNotSupported",
                    "spec.boundObjectRef.kind", "Unsupported value: \"" + kind + "\": supported values: \"Pod\"")));
        }
        String name = reference.path("name").asString("");
        ObjectNode pod = object(resource("pods"), namespace, name);
        String uid = Json.textOr(pod, "", "metadata", "uid");
        String wanted = reference.path("uid").asString("");
        if (!wanted.isEmpty() && !wanted.equals(uid)) {
            throw ApiError.conflict("", "pods", name, "the UID in the bound object reference (" + wanted + ") does not match the UID in record ("
                    + uid + "). The object might have been deleted and then recreated");
        }
        return subject.boundToPod(name, uid);
    }

    private ResourceDescriptor resource(String plural) {
        return rest.registry().find("", "v1", plural).orElseThrow();
    }

    private ObjectNode object(ResourceDescriptor resource, String namespace, String name) {
        return (ObjectNode) rest.get(resource, namespace, name, "").body();
    }
}
