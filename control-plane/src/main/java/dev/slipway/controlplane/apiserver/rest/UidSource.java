package dev.slipway.controlplane.apiserver.rest;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs, as Kubernetes gives every object. The bits come from a DRBG seeded once
 * (the platform default, NativePRNG, reads /dev/urandom under a lock for every call), drawn a block
 * at a time: a DRBG's cost is mostly per call, and 16 bytes per call made it 4% of the request
 * handler's CPU samples in ApiServerBenchmark.
 */
final class UidSource {

    private static final int UUID_BYTES = 16;
    private static final int BLOCK_BYTES = 256 * UUID_BYTES;

    private final SecureRandom random = drbg();
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES).position(BLOCK_BYTES);

    /** A new UUID in Kubernetes' textual form. */
    String next() {
        long high;
        long low;
        synchronized (this) {
            if (!block.hasRemaining()) {
                random.nextBytes(block.array());
                block.clear();
            }
            high = block.getLong();
            low = block.getLong();
        }
        // Version 4 (random) in the time_hi_and_version field, the IETF variant in clock_seq_hi.
        high = (high & ~0xf000L) | 0x4000L;
        low = (low & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
