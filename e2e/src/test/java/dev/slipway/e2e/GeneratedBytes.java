package dev.slipway.e2e;

import java.io.InputStream;
import java.util.SplittableRandom;

/** A stream of {@code size} pseudo-random bytes made on the fly, so large uploads need no memory or disk. */
final class GeneratedBytes extends InputStream {

    private final SplittableRandom random;
    private long remaining;

    GeneratedBytes(long size, long seed) {
        this.random = new SplittableRandom(seed);
        this.remaining = size;
    }

    @Override
    public int read() {
        if (remaining == 0) {
            return -1;
        }
        remaining--;
        return random.nextInt(256);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (remaining == 0) {
            return -1;
        }
        int n = (int) Math.min(length, remaining);
        for (int i = 0; i < n; i += 8) {
            long word = random.nextLong();
            for (int j = i; j < Math.min(i + 8, n); j++, word >>>= 8) {
                buffer[offset + j] = (byte) word;
            }
        }
        remaining -= n;
        return n;
    }
}
