package dev.slipway.controlplane.apiserver.protobuf;

/** Go's {@code time.Duration.String()}, the JSON form of {@code meta.v1.Duration}: "1h0m0s", "1.5s", "300ms". */
final class GoDuration {

    private GoDuration() {
    }

    static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        // Unsigned arithmetic, so that the most negative duration has a magnitude too, as in Go.
        long magnitude = nanos < 0 ? -nanos : nanos;
        StringBuilder text = new StringBuilder(nanos < 0 ? "-" : "");
        if (Long.compareUnsigned(magnitude, 1_000_000_000L) < 0) {
            if (magnitude < 1_000) {
                return text.append(magnitude).append("ns").toString();
            }
            boolean micros = magnitude < 1_000_000;
            return text.append(decimal(magnitude, micros ? 3 : 6)).append(micros ? "µs" : "ms").toString();
        }
        long seconds = Long.divideUnsigned(magnitude, 1_000_000_000L);
        String fraction = fraction(Long.remainderUnsigned(magnitude, 1_000_000_000L), 9);
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds >= 60) {
            text.append(seconds / 60 % 60).append('m');
        }
        return text.append(seconds % 60).append(fraction).append('s').toString();
    }

    private static String decimal(long value, int digits) {
        long scale = (long) Math.pow(10, digits);
        return (value / scale) + fraction(value % scale, digits);
    }

    /** ".5" for 500000000 of 9 digits; nothing when zero. */
    private static String fraction(long value, int digits) {
        if (value == 0) {
            return "";
        }
        String padded = String.format("%0" + digits + "d", value);
        return "." + padded.replaceAll("0+$", "");
    }
}
