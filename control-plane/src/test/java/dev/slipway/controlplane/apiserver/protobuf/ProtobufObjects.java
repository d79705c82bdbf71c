package dev.slipway.controlplane.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.slipway.controlplane.apiserver.protobuf.schema.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Test objects in Kubernetes' protobuf form, built with protobuf-java from nested maps keyed by
 * field name (lists for repeated fields, maps for messages and map fields).
 */
public final class ProtobufObjects {

    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ProtobufObjects() {
    }

    /** The request body for one object: magic, envelope, and the object's own message. */
    public static byte[] body(String apiVersion, String kind, Map<String, ?> fields) {
        return envelope(apiVersion, kind, raw(apiVersion, kind, fields));
    }

    /** The object's own message, without magic and envelope. */
    public static byte[] raw(String apiVersion, String kind, Map<String, ?> fields) {
        Descriptor descriptor = Kinds.schema().find(apiVersion, kind)
                .orElseThrow(() -> new IllegalArgumentException("no schema for " + apiVersion + " " + kind));
        return message(descriptor, fields).toByteArray();
    }

    public static byte[] envelope(String apiVersion, String kind, byte[] raw) {
        return envelope(Wire.Unknown.newBuilder()
                .setTypeMeta(Wire.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(ByteString.copyFrom(raw)).build());
    }

    public static byte[] envelope(Wire.Unknown unknown) {
        return ByteString.copyFrom(MAGIC).concat(unknown.toByteString()).toByteArray();
    }

    static DynamicMessage message(Descriptor descriptor, Map<String, ?> fields) {
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(descriptor);
        fields.forEach((name, value) -> {
            FieldDescriptor field = descriptor.findFieldByName(name);
            if (field == null) {
                throw new IllegalArgumentException(descriptor.getFullName() + " has no field " + name);
            }
            if (field.isMapField()) {
                FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
                ((Map<?, ?>) value).forEach((key, entryValue) -> builder.addRepeatedField(field, DynamicMessage
                        .newBuilder(field.getMessageType())
                        .setField(field.getMessageType().findFieldByNumber(1), key)
                        .setField(valueField, single(valueField, entryValue)).build()));
            } else if (field.isRepeated()) {
                ((List<?>) value).forEach(element -> builder.addRepeatedField(field, single(field, element)));
            } else {
                builder.setField(field, single(field, value));
            }
        });
        return builder.build();
    }

    private static Object single(FieldDescriptor field, Object value) {
        return switch (field.getJavaType()) {
            case MESSAGE -> message(field.getMessageType(), (Map<String, ?>) value);
            case BYTE_STRING -> ByteString.copyFrom(value instanceof byte[] bytes ? bytes
                    : value.toString().getBytes(StandardCharsets.UTF_8));
            case INT -> ((Number) value).intValue();
            case LONG -> ((Number) value).longValue();
            default -> value;
        };
    }
}
