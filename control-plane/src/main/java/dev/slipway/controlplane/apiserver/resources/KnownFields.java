package dev.slipway.controlplane.apiserver.resources;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * Finds the fields of an object that its type does not declare, by walking the JSON along the
 * fabric8 model classes' {@code @JsonProperty} fields: the server's {@code fieldValidation}.
 */
public final class KnownFields {

    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";
    private static final Map<Class<?>, Map<String, Type>> FIELDS = new ConcurrentHashMap<>();

    private KnownFields() {
    }

    /** The paths of unknown fields, e.g. {@code spec.containers[0].imagee}; empty when all are known. */
    public static List<String> unknown(JsonNode object, Class<?> model) {
        List<String> unknown = new ArrayList<>();
        walk(object, model, "", unknown);
        return unknown;
    }

    private static void walk(JsonNode value, Type type, String path, List<String> unknown) {
        if (value == null || value.isNull()) {
            return;
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
            Type[] arguments = parameterized.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw) && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    walk(value.get(i), arguments[0], path + "[" + i + "]", unknown);
                }
            } else if (Map.class.isAssignableFrom(raw) && value.isObject()) {
                for (var entry : value.properties()) {
                    walk(entry.getValue(), arguments[1], path + "." + entry.getKey(), unknown);
                }
            }
            return;
        }
        if (!(type instanceof Class<?> model) || !value.isObject()) {
            return;
        }
        Map<String, Type> fields = fields(model);
        if (fields.isEmpty()) {
            return;
        }
        for (var entry : value.properties()) {
            String field = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
            Type fieldType = fields.get(entry.getKey());
            if (fieldType == null) {
                unknown.add(field);
            } else {
                walk(entry.getValue(), fieldType, field, unknown);
            }
        }
    }

    /** A model class's JSON fields and their types; empty for leaf types (IntOrString, Quantity, ...). */
    private static Map<String, Type> fields(Class<?> model) {
        return FIELDS.computeIfAbsent(model, type -> {
            Map<String, Type> fields = new HashMap<>();
            JsonDeserialize custom = type.getAnnotation(JsonDeserialize.class);
            if (!type.getName().startsWith(MODEL_PACKAGE) || custom != null && custom.using() != ValueDeserializer.None.class) {
                return fields;
            }
            for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
                for (Field field : current.getDeclaredFields()) {
                    JsonProperty property = field.getAnnotation(JsonProperty.class);
                    if (property != null && !Modifier.isStatic(field.getModifiers())) {
                        String name = property.value().isEmpty() ? field.getName() : property.value();
                        fields.put(name, field.getGenericType());
                    }
                }
            }
            return fields;
        });
    }
}
