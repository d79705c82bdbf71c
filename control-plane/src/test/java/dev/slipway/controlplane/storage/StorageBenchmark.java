package dev.slipway.controlplane.storage;

import dev.slipway.controlplane.testing.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * What etcd itself makes of the store's writes (not a test): the rate and etcd's CPU per operation of
 * raw jetcd puts, of raw create transactions (compare create revision 0, then put: what every create
 * sends), and of {@link ObjectStore#create}, on one etcd of its own on loopback, tuned as masters run
 * it. What a create transaction costs etcd over a put (etcd 3.4 copies its pending writes for every
 * write transaction, decision 0015) bounds the API server's create rate against raw puts on a
 * machine whose cores are the limit, however little the API server itself spends.
 *
 * <pre>
 * mvn -q -Dbuild.suffix=-bench -pl control-plane -am test-compile
 * mvn -q -Dbuild.suffix=-bench -pl control-plane dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp
 * java -cp control-plane/target-bench/test-classes:control-plane/target-bench/classes:$(cat /tmp/cp) \
 *     dev.slipway.controlplane.storage.StorageBenchmark [objects per round=5000] [concurrency=32] [rounds=3]
 * </pre>
 */
public final class StorageBenchmark {

    private StorageBenchmark() {
    }

    /** One kind of write: its name, and its figures summed over the rounds. */
    private static final class Row {
        final String name;
        final IntConsumer write;
        long operations;
        long nanos;
        long etcdCpuNanos;

        Row(String name, IntConsumer write) {
            this.name = name;
            this.write = write;
        }

        void measure(int count, int concurrency) throws InterruptedException, ExecutionException {
            long cpu = EtcdProcess.cpuTimeOfRunning().toNanos();
            long started = System.nanoTime();
            run(count, concurrency, write);
            nanos += System.nanoTime() - started;
            etcdCpuNanos += EtcdProcess.cpuTimeOfRunning().toNanos() - cpu;
            operations += count;
        }

        double rate() {
            return operations / (nanos / 1e9);
        }

        String line(Row baseline) {
            return String.format("%-32s %8.0f/s (%3.0f%% of %s)  etcd CPU %.3f ms per operation", name, rate(),
                    100 * rate() / baseline.rate(), baseline.name, etcdCpuNanos / 1e6 / operations);
        }
    }

    public static void main(String[] arguments) throws Exception {
        int objects = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 5000;
        int concurrency = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 32;
        int rounds = arguments.length > 2 ? Integer.parseInt(arguments[2]) : 3;
        byte[] json = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench\",\"namespace\":\"default\"},"
                + "\"data\":{\"key\":\"" + "x".repeat(400) + "\"}}").getBytes(StandardCharsets.UTF_8);
        try (EtcdProcess etcd = EtcdProcess.start();
             Client client = Client.builder().endpoints(etcd.endpoint()).build();
             EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY)) {
            KV kv = client.getKVClient();
            ByteSequence value = ByteSequence.from(json);
            AtomicInteger round = new AtomicInteger();
            Row put = new Row("raw jetcd put", i -> join(kv.put(key("/bench/put/", round, i), value)));
            Row transaction = new Row("raw jetcd create transaction", i -> {
                ByteSequence key = key("/bench/txn/", round, i);
                join(kv.txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0))).Then(Op.put(key, value, PutOption.DEFAULT)).commit());
            });
            Row create = new Row("ObjectStore.create", i -> store.create(new ObjectKey("configmaps", "default", "r" + round.get() + "-" + i), json));
            List<Row> rows = List.of(put, transaction, create);
            // Warm every path (connections, JIT) before measuring: round 0 is not counted.
            for (Row row : rows) {
                run(500, concurrency, row.write);
            }

            // Alternating rows in each round, so that none profits from when it ran (etcd's disk, compaction, the machine's load).
            for (round.set(1); round.get() <= rounds; round.incrementAndGet()) {
                for (Row row : rows) {
                    row.measure(objects, concurrency);
                }
            }
            System.out.printf("objects=%d per round, %d rounds, concurrency=%d, value=%d bytes%n", objects, rounds, concurrency, json.length);
            for (Row row : rows) {
                System.out.println(row.line(put));
            }
        }
    }

    private static ByteSequence key(String prefix, AtomicInteger round, int i) {
        return ByteSequence.from(prefix + round.get() + "-" + i, StandardCharsets.UTF_8);
    }

    private static void run(int count, int concurrency, IntConsumer operation) throws InterruptedException, ExecutionException {
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
    }

    private static void join(java.util.concurrent.CompletableFuture<?> future) {
        future.join();
    }
}
