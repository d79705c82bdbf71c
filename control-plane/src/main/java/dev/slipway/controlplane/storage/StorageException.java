package dev.slipway.controlplane.storage;

/** Why a storage operation failed; each case maps to one Kubernetes status. */
public sealed abstract class StorageException extends RuntimeException {

    private StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 409 AlreadyExists: create of a key that exists. */
    public static final class AlreadyExists extends StorageException {
        public AlreadyExists(ObjectKey key) {
            super(key + " already exists", null);
        }
    }

    /** 404 NotFound. */
    public static final class NotFound extends StorageException {
        public NotFound(ObjectKey key) {
            super(key + " not found", null);
        }
    }

    /** 409 Conflict: the object changed since the revision the caller read. */
    public static final class Conflict extends StorageException {
        private final long actualModRevision;

        public Conflict(ObjectKey key, long expectedModRevision, long actualModRevision) {
            super(key + " was modified: expected resourceVersion " + expectedModRevision + " but it is " + actualModRevision, null);
            this.actualModRevision = actualModRevision;
        }

        public long actualModRevision() {
            return actualModRevision;
        }
    }

    /** 410 Gone: the revision asked for is older than the oldest one etcd still keeps. */
    public static final class Expired extends StorageException {
        private final long compactedRevision;

        public Expired(String what, long requestedRevision, long compactedRevision) {
            super(what + ": resourceVersion " + requestedRevision + " is too old, history is compacted up to "
                    + compactedRevision, null);
            this.compactedRevision = compactedRevision;
        }

        public long compactedRevision() {
            return compactedRevision;
        }
    }

    /** 503 or 500: etcd cannot be reached, a value cannot be read, or a watch was closed by the store. */
    public static final class Unavailable extends StorageException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }

        public Unavailable(String message) {
            super(message, null);
        }
    }

    /** 400 BadRequest: a continue token that this store did not issue. */
    public static final class InvalidContinue extends StorageException {
        public InvalidContinue(String reason) {
            super("invalid continue token: " + reason, null);
        }
    }
}
