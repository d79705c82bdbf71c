package dev.slipway.controlplane.apiserver.core;

import java.time.Instant;

/**
 * Kubernetes' object timestamps: RFC 3339 in UTC to the second ({@code 2026-01-02T03:04:05Z}). Every
 * write stamps one or two (creationTimestamp, managedFields), and formatting an {@link Instant} was
 * 2% of the request handler's CPU samples in ApiServerBenchmark, so the text is kept for the second
 * it names.
 */
public final class Timestamps {

    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private Timestamps() {
    }

    /** The current time, to the second. */
    public static String now() {
        return ofEpochSecond(Instant.now().getEpochSecond());
    }

    static String ofEpochSecond(long epochSecond) {
        Second cached = last;
        if (cached.epochSecond() != epochSecond) {
            cached = new Second(epochSecond, Instant.ofEpochSecond(epochSecond).toString());
            last = cached;
        }
        return cached.text();
    }

    /** {@code seconds} from now, to the second: a deletion's deadline. */
    public static String secondsFromNow(long seconds) {
        return Instant.ofEpochSecond(Instant.now().getEpochSecond() + seconds).toString();
    }
}
