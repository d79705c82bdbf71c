package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import dev.slipway.controlplane.storage.ObjectKey;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.StorageException;
import dev.slipway.controlplane.storage.StoredObject;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Service cluster IPs and node ports. Each pool is one object in etcd listing what is taken, changed
 * only by compare-and-swap, so that every API server hands out distinct values.
 */
public final class ServiceAllocations {

    private static final int ATTEMPTS = 20;
    private static final ObjectKey IPS = ObjectKey.clusterScoped("ranges", "serviceips");
    private static final ObjectKey PORTS = ObjectKey.clusterScoped("ranges", "servicenodeports");

    private final ObjectStore store;
    private final long network;
    private final long size;
    private final int firstPort;
    private final int lastPort;
    private final SecureRandom random = new SecureRandom();

    public ServiceAllocations(ObjectStore store, String serviceCidr, int firstPort, int lastPort) {
        this.store = store;
        String[] parts = serviceCidr.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("service CIDR '" + serviceCidr + "' must look like 10.96.0.0/12");
        }
        int prefix = Integer.parseInt(parts[1]);
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("service CIDR '" + serviceCidr + "' must have a prefix between /8 and /30");
        }
        this.size = 1L << (32 - prefix);
        this.network = ipv4(parts[0]) & ~(size - 1);
        this.firstPort = firstPort;
        this.lastPort = lastPort;
    }

    /** The first address of the range, kept for the {@code kubernetes} service. */
    public String firstAddress() {
        return text(network + 1);
    }

    /** Takes {@code requested} (when given) or a free address. */
    public String allocateIp(Optional<String> requested) {
        if (requested.isPresent()) {
            long address;
            try {
                address = ipv4(requested.get());
            } catch (IllegalArgumentException e) {
                throw invalid("spec.clusterIP", requested.get(), "must be a valid IP address");
            }
            if (address <= network || address >= network + size - 1) {
                throw invalid("spec.clusterIP", requested.get(), "provided IP is not in the valid range. The range of valid IPs is "
                        + text(network) + "/" + (32 - Long.numberOfTrailingZeros(size)));
            }
            take(IPS, requested.get(), "spec.clusterIP", "provided IP is already allocated");
            return requested.get();
        }
        return takeRandom(IPS, () -> text(network + 2 + (long) (random.nextDouble() * (size - 3))), "spec.clusterIP");
    }

    public int allocatePort(Optional<Integer> requested, String field) {
        if (requested.isPresent()) {
            int port = requested.get();
            if (port < firstPort || port > lastPort) {
                throw invalid(field, Integer.toString(port), "provided port is not in the valid range. The range of valid ports is "
                        + firstPort + "-" + lastPort);
            }
            take(PORTS, Integer.toString(port), field, "provided port is already allocated");
            return port;
        }
        return Integer.parseInt(takeRandom(PORTS, () -> Integer.toString(firstPort + random.nextInt(lastPort - firstPort + 1)), field));
    }

    public void releaseIp(String address) {
        release(IPS, address);
    }

    public void releasePort(int port) {
        release(PORTS, Integer.toString(port));
    }

    private String takeRandom(ObjectKey pool, Supplier<String> candidate, String field) {
        for (int attempt = 0; attempt < ATTEMPTS * 5; attempt++) {
            String value = candidate.get();
            if (tryTake(pool, value)) {
                return value;
            }
        }
        throw new ApiError(500, "InternalError", "Internal error occurred: failed to allocate a " + field
                + ": the range is full or too contended", "", "", "", List.of());
    }

    private void take(ObjectKey pool, String value, String field, String taken) {
        if (!tryTake(pool, value)) {
            throw invalid(field, value, taken);
        }
    }

    /** Adds {@code value} to the pool; false when it is already taken. */
    private boolean tryTake(ObjectKey pool, String value) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<StoredObject> current = store.get(pool);
            TreeSet<String> taken = taken(current);
            if (!taken.add(value)) {
                return false;
            }
            try {
                save(pool, current, taken);
                return true;
            } catch (StorageException.Conflict | StorageException.AlreadyExists | StorageException.NotFound e) {
                // another API server changed the pool: read it again
            }
        }
        throw ApiError.unavailable("could not update the allocation pool " + pool.name() + ": too much contention");
    }

    private void release(ObjectKey pool, String value) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<StoredObject> current = store.get(pool);
            TreeSet<String> taken = taken(current);
            if (!taken.remove(value)) {
                return;
            }
            try {
                save(pool, current, taken);
                return;
            } catch (StorageException.Conflict | StorageException.NotFound e) {
                // changed meanwhile: read again
            }
        }
    }

    private static TreeSet<String> taken(Optional<StoredObject> current) {
        TreeSet<String> taken = new TreeSet<>();
        current.ifPresent(stored -> Json.parse(stored.json()).path("allocated").forEach(value -> taken.add(value.asString())));
        return taken;
    }

    private void save(ObjectKey pool, Optional<StoredObject> current, TreeSet<String> taken) {
        ObjectNode value = Json.object();
        value.put("kind", "RangeAllocation");
        var list = value.putArray("allocated");
        taken.forEach(list::add);
        byte[] json = Json.bytes(value);
        if (current.isPresent()) {
            store.update(pool, current.get().modRevision(), json);
        } else {
            store.create(pool, json);
        }
    }

    private static ApiError invalid(String field, String value, String message) {
        return ApiError.invalid("", "Service", "", List.of(new ApiError.Cause("FieldValueInvalid", field,
                "Invalid value: \"" + value + "\": " + message)));
    }

    private static long ipv4(String text) {
        String[] octets = text.strip().split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        long value = 0;
        for (String octet : octets) {
            int part = Integer.parseInt(octet);
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = value << 8 | part;
        }
        return value;
    }

    private static String text(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }
}
