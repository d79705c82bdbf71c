package dev.slipway.controlplane.apiserver.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.protobuf.schema.Wire;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON form of one decoded object, as Kubernetes' Go types would marshal it: fields in schema
 * order, zero plain scalars left out, Kubernetes' special types in their own JSON shapes. A field
 * the schema does not know stops the walk, so nothing is dropped unseen.
 */
final class JsonForm {

    private static final String WIRE = "slipway.k8s.";
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSX")
            .withZone(ZoneOffset.UTC);

    /** What failed, for messages: the kind as "Deployment (apps/v1)". */
    private final String kind;

    JsonForm(String kind) {
        this.kind = kind;
    }

    ObjectNode object(Message message, String path) {
        ObjectNode json = Json.object();
        fill(json, message, path);
        return json;
    }

    private void fill(ObjectNode json, Message message, String path) {
        refuseUnknown(message.getUnknownFields(), message, path);
        Map<FieldDescriptor, Object> present = message.getAllFields();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            Object value = present.get(field);
            if (value == null) {
                continue;
            }
            String at = path.isEmpty() ? field.getName() : path + "." + field.getName();
            if (field.getOptions().getExtension(Wire.inline)) {
                fill(json, (Message) value, path);
            } else if (field.isMapField()) {
                json.set(field.getName(), map(field, (List<?>) value, at));
            } else if (field.isRepeated()) {
                ArrayNode array = json.putArray(field.getName());
                for (Object element : (List<?>) value) {
                    array.add(single(field, element, at + "[" + array.size() + "]"));
                }
            } else if (!(field.getType() == FieldDescriptor.Type.MESSAGE && leftOut(field, (Message) value))) {
                json.set(field.getName(), single(field, value, at));
            }
        }
    }

    private ObjectNode map(FieldDescriptor field, List<?> entries, String path) {
        ObjectNode json = Json.object();
        FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
        FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
        for (Object element : entries) {
            Message entry = (Message) element;
            refuseUnknown(entry.getUnknownFields(), entry, path);
            String key = (String) entry.getField(keyField);
            json.set(key, single(valueField, entry.getField(valueField), path + "[" + key + "]"));
        }
        return json;
    }

    private JsonNode single(FieldDescriptor field, Object value, String path) {
        return switch (field.getJavaType()) {
            case STRING -> Json.NODES.stringNode((String) value);
            case INT -> Json.NODES.numberNode((Integer) value);
            case LONG -> number((Long) value);
            case BOOLEAN -> Json.NODES.booleanNode((Boolean) value);
            case DOUBLE -> Json.NODES.numberNode((Double) value);
            case FLOAT -> Json.NODES.numberNode((Float) value);
            case BYTE_STRING -> Json.NODES.stringNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case ENUM -> Json.NODES.stringNode(value.toString());
            case MESSAGE -> message((Message) value, path);
        };
    }

    private JsonNode message(Message message, String path) {
        String type = message.getDescriptorForType().getFullName();
        if (message.getDescriptorForType().getOptions().getExtension(Wire.items)) {
            refuseUnknown(message.getUnknownFields(), message, path);
            FieldDescriptor items = message.getDescriptorForType().findFieldByNumber(1);
            ArrayNode array = Json.array();
            for (int i = 0; i < message.getRepeatedFieldCount(items); i++) {
                array.add(single(items, message.getRepeatedField(items, i), path + "[" + i + "]"));
            }
            return array;
        }
        if (!type.startsWith(WIRE) || type.indexOf('.', WIRE.length()) >= 0) {
            return object(message, path);
        }
        refuseUnknown(message.getUnknownFields(), message, path);
        return switch (type.substring(WIRE.length())) {
            case "IntOrString" -> number(message, "type") == 1
                    ? Json.NODES.stringNode(text(message, "strVal"))
                    : Json.NODES.numberNode((int) number(message, "intVal"));
            case "Quantity" -> Json.NODES.stringNode(text(message, "string").isEmpty() ? "0" : text(message, "string"));
            case "Time" -> Json.NODES.stringNode(time(message, path, false));
            case "MicroTime" -> Json.NODES.stringNode(time(message, path, true));
            case "Duration" -> Json.NODES.stringNode(GoDuration.format(number(message, "duration")));
            case "RawExtension", "FieldsV1" -> raw(message, path);
            default -> throw new IllegalStateException("wire.proto type " + type + " has no JSON form");
        };
    }

    /**
     * Kubernetes' special types whose zero value stands for "not set": the zero time (JSON null),
     * an empty raw document, and a zero IntOrString that is a value (not a pointer) in the Go type.
     */
    private static boolean leftOut(FieldDescriptor field, Message value) {
        return switch (value.getDescriptorForType().getFullName()) {
            case WIRE + "Time", WIRE + "MicroTime" -> value.getAllFields().isEmpty();
            case WIRE + "RawExtension", WIRE + "FieldsV1" -> bytes(value, "raw").isEmpty();
            case WIRE + "IntOrString" -> !field.hasOptionalKeyword() && value.getAllFields().isEmpty();
            default -> false;
        };
    }

    /** Small int64 values as int nodes, as the JSON parser makes them, so that trees compare equal. */
    private static JsonNode number(long value) {
        return value == (int) value ? Json.NODES.numberNode((int) value) : Json.NODES.numberNode(value);
    }

    private String time(Message message, String path, boolean micro) {
        long seconds = number(message, "seconds");
        // Kubernetes keeps whole seconds of a Time (its JSON has no fraction) and microseconds of a MicroTime.
        Instant instant = Instant.ofEpochSecond(seconds, micro ? number(message, "nanos") : 0);
        int year = instant.atZone(ZoneOffset.UTC).getYear();
        if (year < 0 || year > 9999) {
            throw ApiError.badRequest(kind + ": " + path + " is outside the years 0 to 9999 (" + seconds + " seconds)");
        }
        return micro ? MICRO_TIME.format(instant) : DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    private JsonNode raw(Message message, String path) {
        try {
            return Json.parse(bytes(message, "raw").toByteArray());
        } catch (JacksonException e) {
            throw ApiError.badRequest(kind + ": " + path + " does not hold valid JSON: " + e.getOriginalMessage());
        }
    }

    private void refuseUnknown(UnknownFieldSet unknown, Message message, String path) {
        if (unknown.asMap().isEmpty()) {
            return;
        }
        int number = unknown.asMap().keySet().iterator().next();
        throw new ApiError(415, "UnsupportedMediaType", "the protobuf body of " + kind + " has field number " + number + " in "
                + message.getDescriptorForType().getName() + (path.isEmpty() ? "" : " at " + path)
                + ", which this server's protobuf schema does not know; send the object as application/json instead",
                "", "", "", List.of());
    }

    private static long number(Message message, String name) {
        return ((Number) message.getField(message.getDescriptorForType().findFieldByName(name))).longValue();
    }

    private static String text(Message message, String name) {
        return (String) message.getField(message.getDescriptorForType().findFieldByName(name));
    }

    private static ByteString bytes(Message message, String name) {
        return (ByteString) message.getField(message.getDescriptorForType().findFieldByName(name));
    }
}
