package dev.slipway.provisioner.transport;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What to do with a host key that the known-hosts file does not vouch for. */
public enum HostKeyPolicy {
    /** Unknown or changed key: refused. */
    STRICT("strict"),
    /** Unknown key: learned and appended to the known-hosts file. Changed key: refused. */
    ACCEPT_NEW("accept-new");

    private final String inventoryName;

    HostKeyPolicy(String inventoryName) {
        this.inventoryName = inventoryName;
    }

    /** The spelling used in inventory files: {@code strict} or {@code accept-new}. */
    public String inventoryName() {
        return inventoryName;
    }

    /** Parses the inventory spelling; the error lists the accepted values. */
    public static HostKeyPolicy fromInventoryName(String value) {
        return Arrays.stream(values())
                .filter(policy -> policy.inventoryName.equals(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown hostKeyPolicy '" + value + "', expected one of "
                        + Arrays.stream(values()).map(HostKeyPolicy::inventoryName).collect(Collectors.joining(", "))));
    }
}
