package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * A short, stable name for a pod template, as Kubernetes' {@code pod-template-hash} and
 * {@code controller-revision-hash}: FNV-1a over the template's canonical JSON (and a collision
 * count), written with Kubernetes' safe alphabet.
 */
final class TemplateHash {

    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String SAFE = "bcdfghjklmnpqrstvwxz2456789";

    private TemplateHash() {
    }

    static String of(PodTemplateSpec template, int collisionCount) {
        int hash = 0x811c9dc5;
        byte[] bytes = (canonical(SERIALIZATION.convertValue(template, JsonNode.class)) + "#" + collisionCount)
                .getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        String digits = Integer.toUnsignedString(hash);
        StringBuilder safe = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            safe.append(SAFE.charAt(c % SAFE.length()));
        }
        return safe.toString();
    }

    /** Whether two templates are the same, apart from the {@code pod-template-hash} label. */
    static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return canonical(withoutHash(a)).equals(canonical(withoutHash(b)));
    }

    /** A copy of the template without the {@code pod-template-hash} label. */
    static PodTemplateSpec withoutHashLabel(PodTemplateSpec template) {
        PodTemplateSpec copy = SERIALIZATION.clone(template);
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            Map<String, String> labels = new HashMap<>(copy.getMetadata().getLabels());
            labels.remove(POD_TEMPLATE_HASH);
            copy.getMetadata().setLabels(labels);
        }
        return copy;
    }

    private static JsonNode withoutHash(PodTemplateSpec template) {
        return SERIALIZATION.convertValue(withoutHashLabel(template), JsonNode.class);
    }

    /** JSON with object keys sorted and empty objects, arrays and nulls dropped, so equal templates print equally. */
    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, String> fields = new TreeMap<>();
            for (var entry : node.properties()) {
                JsonNode value = entry.getValue();
                if (value.isNull() || (value.isContainer() && value.isEmpty())) {
                    continue;
                }
                fields.put(entry.getKey(), canonical(value));
            }
            StringBuilder out = new StringBuilder("{");
            fields.forEach((key, value) -> out.append('"').append(key).append("\":").append(value).append(','));
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            node.forEach(item -> out.append(canonical(item)).append(','));
            return out.append(']').toString();
        }
        return node.toString();
    }
}
