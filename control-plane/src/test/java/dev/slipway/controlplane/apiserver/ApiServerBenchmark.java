package dev.slipway.controlplane.apiserver;

import com.sun.management.OperatingSystemMXBean;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not a test: API create rate over HTTPS against raw etcd puts in the same run, and the time for one
 * change to reach 100 watchers. Both sides run with the same number of concurrent clients, each side
 * first warms up (JIT, TLS handshakes, pooled connections), then measures; loopback only, bounded in
 * count and time. The HTTPS client speaks HTTP/1.1 with keep-alive, its pool sized to the clients,
 * so every connection's TLS handshake happens once, in the warm-up. Run with
 * {@code java -cp <test class path> dev.slipway.controlplane.apiserver.ApiServerBenchmark [creates] [clients] [warm-up]}.
 */
public final class ApiServerBenchmark {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** What one measured round did: operations, wall time, and the CPU this JVM and etcd spent on it. */
    record Round(int done, long nanos, long jvmCpuNanos, long etcdCpuNanos) {
        double rate() {
            return done / (nanos / 1e9);
        }

        String cpuPerOperation() {
            return String.format("CPU per operation: this JVM (client and server) %.2f ms, etcd %.2f ms",
                    jvmCpuNanos / 1e6 / Math.max(1, done), etcdCpuNanos / 1e6 / Math.max(1, done));
        }
    }

    public static void main(String[] arguments) throws Exception {
        int creates = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 2000;
        int clients = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 32;
        int warmUp = arguments.length > 2 ? Integer.parseInt(arguments[2]) : creates;
        // Read once when the HTTP client's connection pool is first used: keep as many idle connections as there are clients.
        System.setProperty("jdk.httpclient.connectionPoolSize", Integer.toString(clients));
        try (ApiServerFixture cluster = ApiServerFixture.start()) {
            HttpClient http = httpClient(cluster);
            URI collection = cluster.server().url().resolve("/api/v1/namespaces/default/configmaps");
            Operation apiCreate = i -> {
                String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench-" + i + "\"},\"data\":{\"k\":\"v\"}}";
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(collection).POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 201) {
                    throw new IllegalStateException("create answered " + response.statusCode());
                }
            };
            Round api;
            Round etcd;
            try (Client client = Client.builder().endpoints(cluster.etcd().endpoint()).build()) {
                Operation rawPut = i -> client.getKVClient().put(bytes("/bench/raw-" + i), bytes("{\"k\":\"v\"}")).get(10, TimeUnit.SECONDS);
                round(0, warmUp, clients, apiCreate);
                round(0, warmUp, clients, rawPut);
                api = round(warmUp, creates, clients, apiCreate);
                etcd = round(warmUp, creates, clients, rawPut);
            }
            System.out.printf("creates: %d with %d clients, after %d warm-up operations on each side%n", creates, clients, warmUp);
            System.out.printf("API create over HTTPS: %.0f/s (%s)%n", api.rate(), api.cpuPerOperation());
            System.out.printf("raw etcd put: %.0f/s (%s)%n", etcd.rate(), etcd.cpuPerOperation());
            System.out.printf("API create / raw put: %.2f%n", api.rate() / etcd.rate());
            watchFanOut(cluster, http, 100, 20);
        }
    }

    /** HTTP/1.1 (as the server speaks), the admin client certificate, the cluster CA. */
    private static HttpClient httpClient(ApiServerFixture cluster) {
        TlsIdentity admin = TlsIdentity.load(cluster.directory().resolve("admin.crt"), cluster.directory().resolve("admin.key"));
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(admin.sslContext(TrustedCertificates.load(cluster.caFile())))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    interface Operation {
        void run(int index) throws Exception;
    }

    /** Runs operations {@code first .. first+count-1} on {@code clients} concurrent clients; stops early at the time limit. */
    private static Round round(int first, int count, int clients, Operation operation) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        long jvmCpu = jvmCpuNanos();
        long etcdCpu = etcdCpuNanos();
        long start = System.nanoTime();
        long deadline = start + LIMIT.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count && System.nanoTime() < deadline; i = next.getAndIncrement()) {
                        operation.run(first + i);
                    }
                    return null;
                });
            }
        }
        long nanos = System.nanoTime() - start;
        return new Round(Math.min(next.get(), count), nanos, jvmCpuNanos() - jvmCpu, etcdCpuNanos() - etcdCpu);
    }

    private static long jvmCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** etcd is this JVM's child process. */
    private static long etcdCpuNanos() {
        return ProcessHandle.current().children()
                .filter(child -> child.info().command().orElse("").endsWith("etcd"))
                .mapToLong(child -> child.info().totalCpuDuration().orElse(Duration.ZERO).toNanos()).sum();
    }

    /** p50 and p99 of the time from a write's request to its event at each of {@code watchers} HTTP watchers. */
    private static void watchFanOut(ApiServerFixture cluster, HttpClient http, int watchers, int rounds) throws Exception {
        URI base = cluster.server().url();
        String name = "fanout";
        http.send(HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/default/configmaps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"round\":\"-1\"}}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long[] sentAt = new long[rounds];
        CountDownLatch ready = new CountDownLatch(watchers);
        CountDownLatch initial = new CountDownLatch(watchers);
        CountDownLatch finished = new CountDownLatch(watchers);
        URI watch = base.resolve("/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3D" + name
                + "&resourceVersion=0&timeoutSeconds=60");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < watchers; w++) {
                pool.submit(() -> {
                    HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(watch).build(),
                            HttpResponse.BodyHandlers.ofLines());
                    ready.countDown();
                    try (var lines = response.body()) {
                        var iterator = lines.iterator();
                        while (iterator.hasNext()) {
                            String line = iterator.next();
                            int at = line.indexOf("\"round\":\"");
                            if (at < 0) {
                                continue;
                            }
                            int round = Integer.parseInt(line.substring(at + 9, line.indexOf('"', at + 9)));
                            if (round < 0) {
                                initial.countDown();
                            } else {
                                latencies.add(System.nanoTime() - sentAt[round]);
                            }
                            if (round == rounds - 1) {
                                break;
                            }
                        }
                    } finally {
                        finished.countDown();
                    }
                    return null;
                });
            }
            ready.await(30, TimeUnit.SECONDS);
            initial.await(30, TimeUnit.SECONDS);
            for (int round = 0; round < rounds; round++) {
                sentAt[round] = System.nanoTime();
                http.send(HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/default/configmaps/" + name))
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"data\":{\"round\":\"" + round + "\"}}"))
                        .header("Content-Type", "application/merge-patch+json").build(), HttpResponse.BodyHandlers.discarding());
                Thread.sleep(100);
            }
            finished.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            System.out.println("watch fan-out: no events arrived");
            return;
        }
        System.out.printf("watch fan-out to %d watchers, %d changes: %d events, p50 %.1f ms, p99 %.1f ms%n", watchers, rounds,
                sorted.size(), sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private ApiServerBenchmark() {
    }
}
