package dev.slipway.controlplane;

import java.time.Duration;

/** Exponential per-key back-off: {@code base * 2^(failures-1)}, capped at {@code max} (client-go's item limiter). */
public record Backoff(Duration base, Duration max) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(5), Duration.ofMinutes(5));

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < base <= max, got " + base + " and " + max);
        }
    }

    /** The wait before retry number {@code failures} (1 for the first failure). */
    public Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int shift = Math.min(failures - 1, 40);
        long nanos = base.toNanos();
        if (nanos > (max.toNanos() >> shift)) {
            return max;
        }
        return Duration.ofNanos(nanos << shift);
    }
}
