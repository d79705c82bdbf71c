package dev.slipway.controlplane.apiserver.resources;

import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/**
 * One column of a resource's server-side table. {@code priority} 0 is shown by default, 1 only with
 * {@code -o wide}; {@code cell} computes the value (a String, Integer or Long) from the object.
 */
public record TableColumn(String name, String type, String format, int priority, String description,
                          Function<ObjectNode, Object> cell) {

    public static TableColumn text(String name, int priority, String description, Function<ObjectNode, Object> cell) {
        return new TableColumn(name, "string", "", priority, description, cell);
    }

    public static TableColumn number(String name, int priority, String description, Function<ObjectNode, Object> cell) {
        return new TableColumn(name, "integer", "", priority, description, cell);
    }
}
