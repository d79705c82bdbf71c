package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** An amount of the resources the scheduler accounts for: CPU in millicores, memory in bytes, pod slots. */
public record Resources(long milliCpu, long memoryBytes, long pods) {

    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources plus(Resources other) {
        return new Resources(milliCpu + other.milliCpu, memoryBytes + other.memoryBytes, pods + other.pods);
    }

    public Resources minus(Resources other) {
        return new Resources(milliCpu - other.milliCpu, memoryBytes - other.memoryBytes, pods - other.pods);
    }

    /** The larger of each amount, e.g. an init container's needs against the regular containers'. */
    public Resources max(Resources other) {
        return new Resources(Math.max(milliCpu, other.milliCpu), Math.max(memoryBytes, other.memoryBytes), Math.max(pods, other.pods));
    }

    /** Reads {@code cpu}, {@code memory} and {@code pods} from a resource list; a missing entry is zero. */
    public static Resources of(Map<String, Quantity> list) {
        if (list == null) {
            return NONE;
        }
        return new Resources(amount(list.get("cpu"), 1000), amount(list.get("memory"), 1), amount(list.get("pods"), 1));
    }

    /** The quantity times {@code scale}, rounded up: {@code 100m} CPU is 100 millicores, {@code 1Ki} is 1024 bytes. */
    static long amount(Quantity quantity, long scale) {
        if (quantity == null || quantity.getAmount() == null || quantity.getAmount().isBlank()) {
            return 0;
        }
        BigDecimal value = Quantity.getAmountInBytes(quantity).multiply(BigDecimal.valueOf(scale));
        return value.setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
