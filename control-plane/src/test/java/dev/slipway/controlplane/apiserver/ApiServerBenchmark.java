package dev.slipway.controlplane.apiserver;

import com.sun.management.OperatingSystemMXBean;
import dev.slipway.controlplane.testing.EtcdProcess;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.pki.TrustedCertificates;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Not a test: API create rate over HTTPS against raw etcd puts of the bytes the API server stores for
 * such an object (and, for reference, of a 9-byte value, and etcd's own create transaction of those
 * bytes, which no API server on this etcd can outrun) in the same run, and the time for one
 * change to reach 100 watchers. Both sides run with the same number of concurrent clients; each side
 * first warms up (JIT, TLS handshakes, connections), then API and etcd rounds alternate, so that both
 * see the same JIT state and machine load; loopback only, bounded in count and time. Each HTTPS client
 * keeps one HTTP/1.1 connection alive (a pool sized to the clients), so every TLS handshake happens
 * once, in the warm-up. The warm-up repeats (up to 8 pairs of rounds of {@code warm-up} operations)
 * until the JIT compiler takes under 5% of a pair's time: on a two-core machine a busy compiler
 * thread is otherwise measured as the server's cost. Besides the rate ratio it prints the ratio of
 * CPU per operation (this JVM plus etcd), which is what bounds the rates on a loaded machine. {@code client} is {@code socket} (default: one blocking TLS socket per client,
 * about as lean as the etcd side's gRPC client) or {@code jdk} (java.net.http, as fabric8 uses it).
 * Run with {@code java -cp <test class path> dev.slipway.controlplane.apiserver.ApiServerBenchmark
 * [creates=2000] [clients=32] [warm-up=creates] [rounds=3] [client=socket]}. Rounds of 10,000 creates
 * last a few seconds each, long enough to hold several of etcd's garbage collections (decision 0016),
 * which in rounds of a few thousand land in one side's round or the other's and scatter the ratio, e.g.
 *
 * <pre>
 * mvn -q -Dbuild.suffix=-bench -pl control-plane -am test-compile
 * mvn -q -Dbuild.suffix=-bench -pl control-plane dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp
 * java -cp control-plane/target-bench/test-classes:control-plane/target-bench/classes:pki/target-bench/classes:$(cat /tmp/cp) \
 *     dev.slipway.controlplane.apiserver.ApiServerBenchmark 10000 32 6000 5
 * </pre>
 */
public final class ApiServerBenchmark {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int MAX_WARM_UP_PAIRS = 8;
    private static final double SETTLED_JIT_SHARE = 0.05;

    /** What one measured round did: operations, wall time, and the CPU this JVM and etcd spent on it. */
    record Round(int done, long nanos, long jvmCpuNanos, long etcdCpuNanos, long compileMillis) {
        double rate() {
            return done / (nanos / 1e9);
        }

        /** The CPU both processes spent per operation: what bounds the rate when the machine's cores are the limit. */
        double cpuNanosPerOperation() {
            return (jvmCpuNanos + etcdCpuNanos) / (double) Math.max(1, done);
        }

        String cpuPerOperation() {
            return String.format("CPU per operation: this JVM (client and server) %.3f ms, etcd %.3f ms; JIT compiling during the round %d ms",
                    jvmCpuNanos / 1e6 / Math.max(1, done), etcdCpuNanos / 1e6 / Math.max(1, done), compileMillis);
        }
    }

    public static void main(String[] arguments) throws Exception {
        int creates = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 2000;
        int clients = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 32;
        int warmUp = arguments.length > 2 ? Integer.parseInt(arguments[2]) : creates;
        int rounds = arguments.length > 3 ? Integer.parseInt(arguments[3]) : 3;
        boolean jdkClient = arguments.length > 4 && arguments[4].equals("jdk");
        // Read once when the HTTP client's connection pool is first used: keep as many idle connections as there are clients.
        System.setProperty("jdk.httpclient.connectionPoolSize", Integer.toString(clients));
        try (ApiServerFixture cluster = ApiServerFixture.start();
             Client client = Client.builder().endpoints(cluster.etcd().endpoint()).build();
             Connections connections = new Connections(cluster, clients)) {
            HttpClient http = httpClient(cluster);
            URI collection = cluster.server().url().resolve("/api/v1/namespaces/default/configmaps");
            Operation apiCreate = (c, i) -> {
                byte[] body = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench-" + i
                        + "\"},\"data\":{\"k\":\"v\"}}").getBytes(StandardCharsets.UTF_8);
                int status = jdkClient
                        ? http.send(HttpRequest.newBuilder(collection).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode()
                        : connections.of(c).post(collection.getPath(), body);
                if (status != 201) {
                    throw new IllegalStateException("create answered " + status);
                }
            };
            // The baseline writes what the API server writes for such a create (uid, timestamps,
            // managedFields: a few hundred bytes), taken from a created sample; a 9-byte value is
            // measured too, for reference.
            apiCreate.run(0, -1);
            ByteSequence stored = client.getKVClient().get(bytes("/registry/configmaps/default/bench--1")).get(10, TimeUnit.SECONDS)
                    .getKvs().get(0).getValue();
            Operation rawPut = (c, i) -> client.getKVClient().put(bytes("/bench/raw-" + i), stored).get(10, TimeUnit.SECONDS);
            // What the API server's create asks of etcd (decision 0015): a put only if the key is absent. Its rate against a put's
            // is as far as any API server on this etcd could go.
            Operation rawCreate = (c, i) -> {
                ByteSequence key = bytes("/bench/create-" + i);
                client.getKVClient().txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key, stored, PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS);
            };
            Operation tinyPut = (c, i) -> client.getKVClient().put(bytes("/bench/tiny-" + i), bytes("{\"k\":\"v\"}")).get(10, TimeUnit.SECONDS);
            // Warm up until the JIT is nearly done: on two cores, a compiler thread still busy would be measured as the server's cost.
            int warmed = 0;
            for (int pair = 1; pair <= MAX_WARM_UP_PAIRS; pair++) {
                Round api = round(warmed, warmUp, clients, apiCreate);
                Round etcd = round(warmed, warmUp, clients, rawPut);
                warmed += warmUp;
                double compiling = (api.compileMillis() + etcd.compileMillis()) / ((api.nanos() + etcd.nanos()) / 1e6);
                if (compiling < SETTLED_JIT_SHARE) {
                    break;
                }
            }
            System.out.printf("creates: %d per round with %d clients (%s), after %d warm-up operations on each side; load average %s%n",
                    creates, clients, jdkClient ? "java.net.http" : "one TLS socket each", warmed, loadAverage());
            List<Double> ratios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            List<Double> tinyRatios = new ArrayList<>();
            List<Double> createTxnRatios = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                int first = warmed + (r - 1) * creates;
                Round api = round(first, creates, clients, apiCreate);
                Round etcd = round(first, creates, clients, rawPut);
                Round tiny = round(first, creates, clients, tinyPut);
                Round createTxn = round(first, creates, clients, rawCreate);
                ratios.add(api.rate() / etcd.rate());
                createTxnRatios.add(createTxn.rate() / etcd.rate());
                cpuRatios.add(etcd.cpuNanosPerOperation() / api.cpuNanosPerOperation());
                tinyRatios.add(api.rate() / tiny.rate());
                System.out.printf("round %d: API create over HTTPS %.0f/s, raw etcd put of the stored object (%d bytes) %.0f/s, ratio %.2f"
                                + " (CPU per operation: %.2f); raw put of a 9-byte value %.0f/s, ratio %.2f%n"
                                + "  API  %s%n  etcd %s%n"
                                + "  etcd's own create transaction of the object %.0f/s, ratio to the put %.2f; %s%n", r, api.rate(), stored.size(),
                        etcd.rate(), api.rate() / etcd.rate(), etcd.cpuNanosPerOperation() / api.cpuNanosPerOperation(), tiny.rate(),
                        api.rate() / tiny.rate(), api.cpuPerOperation(), etcd.cpuPerOperation(), createTxn.rate(), createTxn.rate() / etcd.rate(),
                        createTxn.cpuPerOperation());
            }
            Collections.sort(ratios);
            Collections.sort(cpuRatios);
            Collections.sort(tinyRatios);
            Collections.sort(createTxnRatios);
            System.out.printf("API create / raw put of the same object, median of %d rounds: %.2f; by CPU per operation (this JVM and etcd): %.2f;"
                    + " against a 9-byte put: %.2f; etcd's own create transaction / put (the ceiling): %.2f; load average %s%n", rounds,
                    ratios.get(ratios.size() / 2), cpuRatios.get(cpuRatios.size() / 2), tinyRatios.get(tinyRatios.size() / 2),
                    createTxnRatios.get(createTxnRatios.size() / 2), loadAverage());
            watchFanOut(cluster, http, 100, 20);
        }
    }

    /** One kept-alive HTTPS connection per client, opened on first use. */
    static final class Connections implements AutoCloseable {
        private final SSLSocketFactory sockets;
        private final String host;
        private final int port;
        private final Connection[] open;

        Connections(ApiServerFixture cluster, int clients) {
            TlsIdentity admin = TlsIdentity.load(cluster.directory().resolve("admin.crt"), cluster.directory().resolve("admin.key"));
            this.sockets = admin.sslContext(TrustedCertificates.load(cluster.caFile())).getSocketFactory();
            this.host = cluster.server().url().getHost();
            this.port = cluster.server().url().getPort();
            this.open = new Connection[clients];
        }

        Connection of(int client) throws IOException {
            if (open[client] == null) {
                SSLSocket socket = (SSLSocket) sockets.createSocket(host, port);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
                open[client] = new Connection(socket, host + ":" + port);
            }
            return open[client];
        }

        @Override
        public void close() throws IOException {
            for (Connection connection : open) {
                if (connection != null) {
                    connection.socket.close();
                }
            }
        }
    }

    /** HTTP/1.1 on one TLS socket: a request, then its whole response, then the next request on the same connection. */
    record Connection(SSLSocket socket, String authority, InputStream in, OutputStream out) {
        Connection(SSLSocket socket, String authority) throws IOException {
            this(socket, authority, new BufferedInputStream(socket.getInputStream()), new BufferedOutputStream(socket.getOutputStream()));
        }

        int post(String path, byte[] body) throws IOException {
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nContent-Type: application/json\r\nAccept: application/json"
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP/1.1 response: " + status);
            }
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    throw new IOException("the server closed the kept-alive connection");
                }
            }
            if (chunked) {
                for (long chunk = Long.parseLong(line().strip(), 16); chunk > 0; chunk = Long.parseLong(line().strip(), 16)) {
                    in.skipNBytes(chunk);
                    line();
                }
                line();
            } else if (length >= 0) {
                in.skipNBytes(length);
            } else {
                throw new IOException("a response without length on a kept-alive connection");
            }
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("the connection closed mid-response");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
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
        void run(int client, int index) throws Exception;
    }

    /** Runs operations {@code first .. first+count-1} on {@code clients} concurrent clients; stops early at the time limit, fails on the first failure. */
    private static Round round(int first, int count, int clients, Operation operation) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Future<Void>> running = new ArrayList<>();
        long jvmCpu = jvmCpuNanos();
        long etcdCpu = etcdCpuNanos();
        long compile = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long start = System.nanoTime();
        long deadline = start + LIMIT.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count && System.nanoTime() < deadline; i = next.getAndIncrement()) {
                        operation.run(client, first + i);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
        }
        long nanos = System.nanoTime() - start;
        for (Future<Void> client : running) {
            client.get();
        }
        return new Round(done.get(), nanos, jvmCpuNanos() - jvmCpu, etcdCpuNanos() - etcdCpu,
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compile);
    }

    /** The machine is shared: every figure is printed with the load it was measured under. */
    private static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long jvmCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long etcdCpuNanos() {
        return EtcdProcess.cpuTimeOfRunning().toNanos();
    }

    /**
     * p50 and p99 of the time from a write's request to its event at each of {@code watchers} HTTP watchers. The watched
     * object has a namespace of its own, so that each watch's initial list (resourceVersion=0) is one object, not the
     * thousands the create rounds left in {@code default}.
     */
    private static void watchFanOut(ApiServerFixture cluster, HttpClient http, int watchers, int rounds) throws Exception {
        URI base = cluster.server().url();
        String name = "fanout";
        String configMaps = "/api/v1/namespaces/" + name + "/configmaps";
        http.send(HttpRequest.newBuilder(base.resolve("/api/v1/namespaces"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"}}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
        http.send(HttpRequest.newBuilder(base.resolve(configMaps))
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"round\":\"-1\"}}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long[] sentAt = new long[rounds];
        CountDownLatch ready = new CountDownLatch(watchers);
        CountDownLatch initial = new CountDownLatch(watchers);
        CountDownLatch finished = new CountDownLatch(watchers);
        URI watch = base.resolve(configMaps + "?watch=true&fieldSelector=metadata.name%3D" + name
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
                http.send(HttpRequest.newBuilder(base.resolve(configMaps + "/" + name))
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
