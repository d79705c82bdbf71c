package dev.slipway.controlplane.apiserver.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An object serialized once, without a resourceVersion, for etcd; the same bytes answer the request
 * once etcd has given the write its revision, with the resourceVersion spliced in as the first field of
 * {@code metadata}. Serializing the object a second time for the response cost a create about as much
 * as serializing it for etcd.
 *
 * @param bytes the object as stored
 * @param metadataBody where the body of the top-level {@code metadata} object starts (just after its
 *     opening brace), or -1 when the object has no metadata object
 */
public record StorableJson(byte[] bytes, int metadataBody) {

    private static final byte[] FIELD = "\"resourceVersion\":\"".getBytes(StandardCharsets.US_ASCII);

    /** {@code object} as {@link Json#bytes} writes it, less any {@code metadata.resourceVersion}, noting where its metadata's fields begin. */
    public static StorableJson of(ObjectNode object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        int metadataBody = -1;
        try (JsonGenerator generator = Json.MAPPER.createGenerator(out)) {
            generator.writeStartObject();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                generator.writeName(field.getKey());
                if (field.getKey().equals("metadata") && field.getValue() instanceof ObjectNode metadata) {
                    generator.writeStartObject();
                    generator.flush();
                    metadataBody = out.size();
                    for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
                        if (entry.getKey().equals("resourceVersion")) {
                            continue; // etcd's revision is the resourceVersion: stored objects never hold one
                        }
                        generator.writeName(entry.getKey());
                        generator.writeTree(entry.getValue());
                    }
                    generator.writeEndObject();
                } else {
                    generator.writeTree(field.getValue());
                }
            }
            generator.writeEndObject();
        }
        return new StorableJson(out.toByteArray(), metadataBody);
    }

    /** The stored bytes with {@code "resourceVersion":"<resourceVersion>"} first in metadata; as stored when there is no metadata. */
    public byte[] withResourceVersion(String resourceVersion) {
        if (metadataBody < 0) {
            return bytes;
        }
        byte[] version = resourceVersion.getBytes(StandardCharsets.US_ASCII);
        boolean more = bytes[metadataBody] != '}';
        byte[] result = new byte[bytes.length + FIELD.length + version.length + 1 + (more ? 1 : 0)];
        System.arraycopy(bytes, 0, result, 0, metadataBody);
        int at = metadataBody;
        System.arraycopy(FIELD, 0, result, at, FIELD.length);
        at += FIELD.length;
        System.arraycopy(version, 0, result, at, version.length);
        at += version.length;
        result[at++] = '"';
        if (more) {
            result[at++] = ',';
        }
        System.arraycopy(bytes, metadataBody, result, at, bytes.length - metadataBody);
        return result;
    }
}
