package dev.slipway.controlplane.storage;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

/**
 * How etcd runs under this store, whose every write is a transaction (create if absent, update or
 * delete if unchanged). etcd 3.4, which masters run, copies its backend's pending writes for every
 * write transaction: a short backend batch keeps the copy small (decision 0015), and a lazier
 * garbage collector spends less CPU on the copies (decision 0016). The agent starts etcd with these
 * settings, and so do the test fixtures, so that benchmarks measure the etcd that masters run.
 */
public final class EtcdTuning {

    /** How long etcd keeps writes in its backend's pending batch before committing them (etcd's default: 100ms). */
    private static final String BACKEND_BATCH_INTERVAL = "10ms";

    /** Go's garbage collector target (Go's default is 100: collect when the heap has doubled since the last collection). */
    private static final String GC_PERCENT = "400";

    private EtcdTuning() {
    }

    /** The command-line flags, in etcd's {@code --flag=value} form. */
    public static List<String> flags() {
        return List.of("--backend-batch-interval=" + BACKEND_BATCH_INTERVAL);
    }

    /**
     * etcd's environment on this machine: the collector target, and a soft memory limit of half the
     * machine's memory (or of the container's limit, as the JVM sees it), where Go collects more often
     * again. A heap that reaches it would have needed the whole machine at Go's default target, so the
     * limit only takes back slack that memory cannot spare.
     */
    public static Map<String, String> environment() {
        return environment(((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize());
    }

    static Map<String, String> environment(long machineMemoryBytes) {
        return Map.of("GOGC", GC_PERCENT, "GOMEMLIMIT", Long.toString(machineMemoryBytes / 2));
    }
}
