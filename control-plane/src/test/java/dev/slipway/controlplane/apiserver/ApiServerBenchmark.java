package dev.slipway.controlplane.apiserver;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
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
 * change to reach 100 watchers. Bounded in count and time. Run with
 * {@code java -cp <test class path> dev.slipway.controlplane.apiserver.ApiServerBenchmark [creates] [clients]}.
 */
public final class ApiServerBenchmark {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    public static void main(String[] arguments) throws Exception {
        int creates = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 2000;
        int clients = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 32;
        try (ApiServerFixture cluster = ApiServerFixture.start()) {
            HttpClient http = cluster.adminHttpClient();
            URI collection = cluster.server().url().resolve("/api/v1/namespaces/default/configmaps");
            double api = rate(creates, clients, i -> {
                String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench-" + i + "\"},\"data\":{\"k\":\"v\"}}";
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(collection).POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 201) {
                    throw new IllegalStateException("create answered " + response.statusCode());
                }
            });
            double etcd;
            try (Client client = Client.builder().endpoints(cluster.etcd().endpoint()).build()) {
                etcd = rate(creates, clients, i -> client.getKVClient().put(bytes("/bench/raw-" + i), bytes("{\"k\":\"v\"}"))
                        .get(10, TimeUnit.SECONDS));
            }
            System.out.printf("creates: %d with %d clients%nAPI create over HTTPS: %.0f/s%nraw etcd put: %.0f/s%n", creates, clients, api, etcd);
            watchFanOut(cluster, http, 100, 20);
        }
    }

    interface Operation {
        void run(int index) throws Exception;
    }

    private static double rate(int count, int clients, Operation operation) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + LIMIT.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count && System.nanoTime() < deadline; i = next.getAndIncrement()) {
                        operation.run(i);
                    }
                    return null;
                });
            }
        }
        int done = Math.min(next.get(), count);
        return done / ((System.nanoTime() - start) / 1e9);
    }

    /** p50 and p99 of the time from a write's response to its event at each of {@code watchers} HTTP watchers. */
    private static void watchFanOut(ApiServerFixture cluster, HttpClient http, int watchers, int rounds) throws Exception {
        URI base = cluster.server().url();
        String name = "fanout";
        http.send(HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/default/configmaps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"round\":\"-1\"}}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long[] sentAt = new long[rounds];
        CountDownLatch ready = new CountDownLatch(watchers);
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
                            if (round >= 0) {
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
            Thread.sleep(500); // let every watch deliver its initial event first
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
