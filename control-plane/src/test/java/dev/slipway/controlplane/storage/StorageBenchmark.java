package dev.slipway.controlplane.storage;

import dev.slipway.controlplane.testing.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Create rate through {@link ObjectStore#create} against the raw jetcd put rate on one etcd (not a
 * test). Starts its own etcd on loopback.
 *
 * <pre>
 * mvn -q -Dbuild.suffix=-bench -pl control-plane -am test-compile
 * mvn -q -Dbuild.suffix=-bench -pl control-plane dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp
 * java -cp control-plane/target-bench/test-classes:control-plane/target-bench/classes:$(cat /tmp/cp) \
 *     dev.slipway.controlplane.storage.StorageBenchmark [objects per round=5000] [concurrency=32]
 * </pre>
 */
public final class StorageBenchmark {

    private static final int ROUNDS = 3;

    private StorageBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        int objects = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 5000;
        int concurrency = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 32;
        byte[] json = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench\",\"namespace\":\"default\"},"
                + "\"data\":{\"key\":\"" + "x".repeat(400) + "\"}}").getBytes(StandardCharsets.UTF_8);
        try (EtcdProcess etcd = EtcdProcess.start();
             Client client = Client.builder().endpoints(etcd.endpoint()).build();
             EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY)) {
            KV kv = client.getKVClient();
            ByteSequence value = ByteSequence.from(json);
            // Warm both paths (connections, JIT) before measuring.
            run(500, concurrency, i -> join(kv.put(ByteSequence.from("/warm/raw/" + i, StandardCharsets.UTF_8), value)));
            run(500, concurrency, i -> store.create(new ObjectKey("warm", "default", "o" + i), json));

            // Alternating rounds, so that neither side profits from when it ran (etcd's disk, compaction).
            double raw = 0;
            double created = 0;
            for (int round = 0; round < ROUNDS; round++) {
                String prefix = "r" + round + "-";
                raw += run(objects, concurrency, i -> join(kv.put(ByteSequence.from("/bench/raw/" + prefix + i, StandardCharsets.UTF_8), value)));
                created += run(objects, concurrency, i -> store.create(new ObjectKey("configmaps", "default", prefix + i), json));
            }
            raw /= ROUNDS;
            created /= ROUNDS;
            System.out.printf("objects=%d per round, %d rounds, concurrency=%d, value=%d bytes%n", objects, ROUNDS, concurrency, json.length);
            System.out.printf("raw jetcd put:        %8.0f/s%n", raw);
            System.out.printf("ObjectStore.create:   %8.0f/s  (%.0f%% of raw)%n", created, 100 * created / raw);
        }
    }

    private static double run(int count, int concurrency, IntConsumer operation) throws InterruptedException, ExecutionException {
        long started = System.nanoTime();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int worker = 0; worker < concurrency; worker++) {
                int first = worker;
                futures.add(workers.submit(() -> {
                    for (int i = first; i < count; i += concurrency) {
                        operation.accept(i);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static void join(java.util.concurrent.CompletableFuture<?> future) {
        future.join();
    }
}
