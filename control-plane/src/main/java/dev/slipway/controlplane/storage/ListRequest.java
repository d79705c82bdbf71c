package dev.slipway.controlplane.storage;

/**
 * What a list asks for, with Kubernetes' semantics.
 *
 * @param limit           at most this many items per page; 0 means all
 * @param continueToken   the opaque token of the previous page, or "" for the first page
 * @param resourceVersion 0 (Kubernetes' unset or "0"): the most recent state, possibly served from
 *                        the watch cache; N: the state exactly at etcd revision N (Expired when compacted).
 *                        Ignored when a continue token is given (the token carries its revision).
 */
public record ListRequest(long limit, String continueToken, long resourceVersion) {

    public ListRequest {
        if (limit < 0) {
            throw new IllegalArgumentException("list limit must be 0 (no limit) or positive, not " + limit);
        }
        if (continueToken == null) {
            throw new IllegalArgumentException("continue token must be \"\" when absent, not null");
        }
        if (resourceVersion < 0) {
            throw new IllegalArgumentException("resourceVersion must be 0 (most recent) or a revision, not " + resourceVersion);
        }
    }

    /** Everything, most recent. */
    public static ListRequest all() {
        return new ListRequest(0, "", 0);
    }

    public static ListRequest firstPage(long limit) {
        return new ListRequest(limit, "", 0);
    }

    public static ListRequest nextPage(long limit, String continueToken) {
        return new ListRequest(limit, continueToken, 0);
    }

    public static ListRequest atRevision(long revision) {
        return new ListRequest(0, "", revision);
    }
}
