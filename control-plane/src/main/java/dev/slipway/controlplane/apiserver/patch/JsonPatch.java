package dev.slipway.controlplane.apiserver.patch;

import dev.slipway.controlplane.apiserver.core.ApiError;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** JSON patch (RFC 6902), through fabric8's zjsonpatch. */
public final class JsonPatch {

    private JsonPatch() {
    }

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw ApiError.badRequest("a JSON patch must be a JSON array of operations");
        }
        try {
            return io.fabric8.zjsonpatch.JsonPatch.apply(patch, target);
        } catch (JsonPatchException e) {
            throw new ApiError(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage(), "", "", "",
                    List.of());
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the JSON patch is malformed: " + e.getMessage());
        }
    }
}
