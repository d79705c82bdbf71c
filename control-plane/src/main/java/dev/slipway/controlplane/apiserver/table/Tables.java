package dev.slipway.controlplane.apiserver.table;

import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.apiserver.resources.ResourceDescriptor;
import dev.slipway.controlplane.apiserver.resources.TableColumn;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Server-side printing: objects as a {@code meta.k8s.io/v1 Table} with the resource's columns. */
public final class Tables {

    private Tables() {
    }

    /** Does an Accept header ask for a Table? */
    public static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /**
     * A table of {@code objects}. {@code includeObject} is None, Metadata (the default) or Object;
     * {@code listMetadata} is the list's metadata (resourceVersion, continue) or null for a single object.
     */
    public static ObjectNode of(ResourceDescriptor resource, List<ObjectNode> objects, String includeObject, JsonNode listMetadata) {
        ObjectNode table = Json.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.set("metadata", listMetadata == null ? Json.object() : listMetadata.deepCopy());
        ArrayNode columns = table.putArray("columnDefinitions");
        columns.addObject().put("name", "Name").put("type", "string").put("format", "name")
                .put("description", "Name must be unique within a namespace.").put("priority", 0);
        for (TableColumn column : resource.columns()) {
            columns.addObject().put("name", column.name()).put("type", column.type()).put("format", column.format())
                    .put("description", column.description()).put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(Json.textOr(object, "", "metadata", "name"));
            for (TableColumn column : resource.columns()) {
                Object value = column.cell().apply(object);
                switch (value) {
                    case Integer number -> cells.add(number);
                    case Long number -> cells.add(number);
                    case null -> cells.addNull();
                    default -> cells.add(value.toString());
                }
            }
            switch (includeObject.isEmpty() ? "Metadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", object);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    ObjectNode metadata = Json.metadata(object).deepCopy();
                    metadata.remove("managedFields");
                    partial.set("metadata", metadata);
                }
            }
        }
        return table;
    }
}
