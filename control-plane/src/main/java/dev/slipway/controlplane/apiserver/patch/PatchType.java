package dev.slipway.controlplane.apiserver.patch;

import java.util.Optional;

/** The kinds of PATCH Kubernetes accepts, by their content type. */
public enum PatchType {
    JSON("application/json-patch+json"),
    MERGE("application/merge-patch+json"),
    STRATEGIC("application/strategic-merge-patch+json"),
    APPLY_YAML("application/apply-patch+yaml"),
    APPLY_CBOR("application/apply-patch+cbor");

    private final String contentType;

    PatchType(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    public boolean isApply() {
        return this == APPLY_YAML;
    }

    public static Optional<PatchType> of(String contentType) {
        String bare = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase();
        for (PatchType type : values()) {
            if (type.contentType.equals(bare) && type != APPLY_CBOR) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
