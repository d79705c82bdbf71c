package dev.slipway.controlplane.storage;

/**
 * Turns an object's JSON into the bytes stored in etcd and back: identity for most resources,
 * encryption at rest for Secrets ({@link SecretEncryption}).
 */
public interface ValueTransformer {

    byte[] toStorage(ObjectKey key, byte[] json);

    /** {@link StorageException.Unavailable} when the stored value cannot be read (unknown key id, tampered). */
    byte[] fromStorage(ObjectKey key, byte[] stored);

    /** Stores every value as it is. */
    ValueTransformer IDENTITY = new ValueTransformer() {
        @Override
        public byte[] toStorage(ObjectKey key, byte[] json) {
            return json;
        }

        @Override
        public byte[] fromStorage(ObjectKey key, byte[] stored) {
            return stored;
        }
    };
}
