package dev.slipway.controlplane.apiserver.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.protobuf.schema.Wire;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body in Kubernetes' protobuf encoding ({@value #MEDIA_TYPE}), as kubectl's typed
 * commands send it, read into the JSON tree the rest of the API server works on.
 */
public final class ProtobufBody {

    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    /** Kubernetes' magic number before the envelope: "k8s" and a zero byte. */
    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

    private ProtobufBody() {
    }

    /**
     * The object's JSON form, with its apiVersion and kind from the envelope.
     *
     * @throws ApiError 400 when the body is not well-formed protobuf, 415 when it holds a kind or a
     *                  field that this server's schema does not know
     */
    public static ObjectNode toJson(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw ApiError.badRequest("the request body is not Kubernetes protobuf: it does not begin with the bytes \"k8s\\0\"");
        }
        Wire.Unknown envelope = parse("the envelope (runtime.Unknown)", () -> Wire.Unknown.parseFrom(
                Arrays.copyOfRange(body, MAGIC.length, body.length)));
        String apiVersion = envelope.getTypeMeta().getApiVersion();
        String kindName = envelope.getTypeMeta().getKind();
        if (apiVersion.isEmpty() || kindName.isEmpty()) {
            throw ApiError.badRequest("the protobuf envelope (runtime.Unknown) names no apiVersion and kind");
        }
        String kind = kindName + " (" + apiVersion + ")";
        if (!envelope.getContentEncoding().isEmpty() || !(envelope.getContentType().isEmpty()
                || envelope.getContentType().equals(MEDIA_TYPE))) {
            throw unsupported("the protobuf body of " + kind + " is wrapped as " + envelope.getContentType() + " with encoding \""
                    + envelope.getContentEncoding() + "\"; only plain protobuf is read; send the object as application/json instead");
        }
        if (!envelope.getUnknownFields().asMap().isEmpty()) {
            throw unsupported("the protobuf envelope of " + kind + " has field number "
                    + envelope.getUnknownFields().asMap().keySet().iterator().next() + ", which this server does not know");
        }
        Kinds kinds = Kinds.schema();
        Descriptor descriptor = kinds.find(apiVersion, kindName).orElseThrow(() -> unsupported(
                "this server reads protobuf bodies only for " + kinds.names() + ", not " + kind
                        + "; send the object as application/json instead"));
        DynamicMessage object = parse(kind, () -> DynamicMessage.parseFrom(descriptor, envelope.getRaw()));
        ObjectNode json = new JsonForm(kind).object(object, "");
        ObjectNode typed = Json.object();
        typed.put("apiVersion", apiVersion);
        typed.put("kind", kindName);
        typed.setAll(json);
        return typed;
    }

    private interface Parse<T> {
        T run() throws InvalidProtocolBufferException;
    }

    private static <T> T parse(String what, Parse<T> parse) {
        try {
            return parse.run();
        } catch (InvalidProtocolBufferException e) {
            throw ApiError.badRequest("the request body is not valid protobuf in " + what + ": " + e.getMessage());
        }
    }

    private static ApiError unsupported(String message) {
        return new ApiError(415, "UnsupportedMediaType", message, "", "", "", List.of());
    }
}
