package dev.slipway.controlplane.testing;

import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.storage.EtcdConnection;
import dev.slipway.controlplane.storage.EtcdTuning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd ({@code /usr/bin/etcd}) on free loopback ports with a temporary data directory, for
 * component tests. Optionally serves TLS and requires client certificates. {@link #close()} kills it
 * and deletes the data directory.
 *
 * <pre>{@code
 * try (EtcdProcess etcd = EtcdProcess.start()) {
 *     EtcdConnection connection = etcd.connection();
 * }
 * }</pre>
 */
public final class EtcdProcess implements AutoCloseable {

    private static final Path ETCD = Path.of("/usr/bin/etcd");
    private static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    // etcd outlives a test JVM that exits without close(); this reaps what is still running.
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Set<Integer> HANDED_OUT_PORTS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "etcd-reaper"));
    }

    /** Server side of TLS: etcd's serving certificate and key, and the CA that client certificates must chain to. */
    public record ServerTls(Path caPem, Path serverCertPem, Path serverKeyPem) {
    }

    /** Client side of TLS, for {@link #etcdctl} and {@link #connection(ClientTls)}. */
    public record ClientTls(Path caPem, Path clientCertPem, Path clientKeyPem) {
    }

    private final Path directory;
    private final String name;
    private final int clientPort;
    private final int peerPort;
    private String initialCluster; // name=peerURL,... of every member
    private final ServerTls serverTls; // null: plaintext
    private final ClientTls healthTls; // what the fixture itself uses to check health over TLS
    private Process process;

    private EtcdProcess(Path directory, String name, int clientPort, int peerPort, ServerTls serverTls, ClientTls healthTls) {
        this.directory = directory;
        this.name = name;
        this.initialCluster = name + "=" + peerUrl(peerPort);
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.serverTls = serverTls;
        this.healthTls = healthTls;
    }

    /** Starts a plaintext etcd on 127.0.0.1 and waits until it is healthy. */
    public static EtcdProcess start() {
        return launch(null, null);
    }

    /**
     * Starts an etcd that serves TLS with {@code server} and requires a client certificate signed by
     * {@code server.caPem()}; {@code client} is what the fixture uses to check its health.
     */
    public static EtcdProcess startTls(ServerTls server, ClientTls client) {
        return launch(server, client);
    }

    private static EtcdProcess launch(ServerTls server, ClientTls client) {
        try {
            Path directory = Files.createTempDirectory("slipway-etcd-");
            EtcdProcess etcd = new EtcdProcess(directory, "test", freePort(), freePort(), server, client);
            etcd.resume();
            return etcd;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for etcd", e);
        }
    }

    /** The client URL, e.g. {@code http://127.0.0.1:41234} (https with TLS). */
    public URI endpoint() {
        return URI.create((serverTls == null ? "http" : "https") + "://127.0.0.1:" + clientPort);
    }

    /** A plaintext connection to this etcd. */
    public EtcdConnection connection() {
        if (serverTls != null) {
            throw new IllegalStateException("this etcd serves TLS; use connection(ClientTls)");
        }
        return EtcdConnection.plaintext(List.of(endpoint()));
    }

    /** A TLS connection with a client certificate. */
    public EtcdConnection connection(ClientTls client) {
        return EtcdConnection.mutualTls(List.of(endpoint()), client.caPem(), client.clientCertPem(), client.clientKeyPem());
    }

    /** CPU time used so far by the etcd processes this JVM runs: what benchmarks charge to etcd. */
    public static Duration cpuTimeOfRunning() {
        return RUNNING.stream().map(running -> running.toHandle().info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** Kills etcd at once (SIGKILL), as a member failure would; data stays for {@link #resume()}. */
    public void kill() {
        if (process != null) {
            RUNNING.remove(process);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** A member of a cluster that {@link EtcdCluster} starts; not yet running. */
    static EtcdProcess member(String name) {
        try {
            return new EtcdProcess(Files.createTempDirectory("slipway-etcd-" + name + "-"), name, freePort(), freePort(), null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for etcd member " + name, e);
        }
    }

    String peerMember() {
        return name + "=" + peerUrl(peerPort);
    }

    void joinCluster(String members) {
        this.initialCluster = members;
    }

    private static String peerUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    /** Starts etcd again on the same ports and data, and waits until it is healthy. */
    public void resume() {
        spawn();
        awaitHealthy();
    }

    void spawn() {
        if (process != null) {
            throw new IllegalStateException("etcd is already running at " + endpoint());
        }
        List<String> command = new ArrayList<>(List.of(ETCD.toString(),
                "--name", name,
                "--data-dir", dataDirectory().toString(),
                "--listen-client-urls", endpoint().toString(),
                "--advertise-client-urls", endpoint().toString(),
                "--listen-peer-urls", peerUrl(peerPort),
                "--initial-advertise-peer-urls", peerUrl(peerPort),
                "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new",
                // Quick progress notifications, so tests see a quiet resource's watch cache move on.
                "--experimental-watch-progress-notify-interval", "500ms",
                "--logger", "zap",
                "--log-outputs", "stderr"));
        // Tuned as the agent starts etcd, so benchmarks measure the etcd masters run.
        command.addAll(EtcdTuning.flags());
        if (serverTls != null) {
            command.addAll(List.of(
                    "--cert-file", serverTls.serverCertPem().toString(),
                    "--key-file", serverTls.serverKeyPem().toString(),
                    "--trusted-ca-file", serverTls.caPem().toString(),
                    "--client-cert-auth"));
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("etcd.log").toFile()));
            builder.environment().putAll(EtcdTuning.environment());
            process = builder.start();
            RUNNING.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + ETCD + " (is the etcd-server package installed?)", e);
        }
    }

    void awaitHealthy() {
        Process started = process;
        try {
            await("etcd at " + endpoint() + " healthy").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!started.isAlive()) {
                            throw new IllegalStateException("etcd exited with " + started.exitValue() + "; its log:\n" + log());
                        }
                        return healthy();
                    });
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    private boolean healthy() {
        ProcessResult result = run(List.of("endpoint", "health", "--command-timeout=2s"), Duration.ofSeconds(5));
        return result.exitCode() == 0;
    }

    /** Runs etcdctl against this etcd and returns its standard output; fails on a non-zero exit. */
    public String etcdctl(String... arguments) {
        ProcessResult result = run(List.of(arguments), Duration.ofSeconds(30));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("etcdctl " + String.join(" ", arguments) + " failed with " + result.exitCode()
                    + ": " + result.output());
        }
        return result.output();
    }

    /** Compacts etcd's history up to {@code revision}, as the API server's compactor does. */
    public void compact(long revision) {
        etcdctl("compaction", Long.toString(revision), "--physical");
    }

    /** The raw value stored at an etcd key as etcdctl prints it, with a newline (empty when absent); bytes that are not UTF-8 become U+FFFD. */
    public String rawValue(String key) {
        return etcdctl("get", key, "--print-value-only");
    }

    /** etcd's log so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(directory.resolve("etcd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private ProcessResult run(List<String> arguments, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints", endpoint().toString()));
        if (healthTls != null) {
            command.addAll(List.of("--cacert", healthTls.caPem().toString(),
                    "--cert", healthTls.clientCertPem().toString(),
                    "--key", healthTls.clientKeyPem().toString(),
                    // The fixture checks health, not the serving certificate: tests may give it a wrong one on purpose.
                    "--insecure-skip-tls-verify"));
        }
        command.addAll(arguments);
        try {
            Path output = Files.createTempFile(directory, "etcdctl-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("ETCDCTL_API", "3");
            Process etcdctl = builder.start();
            if (!etcdctl.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                etcdctl.destroyForcibly();
                return new ProcessResult(-1, "timed out after " + timeout);
            }
            // Lenient decoding: raw values (encrypted Secrets) are not UTF-8.
            String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            Files.delete(output);
            return new ProcessResult(etcdctl.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + ETCDCTL + " (is the etcd-client package installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProcessResult(-1, "interrupted");
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete etcd's directory " + directory, e);
        }
    }

    /**
     * A port the kernel has free; never one handed out before in this JVM, since the kernel may
     * offer the same port twice while nothing listens on it yet (two members, or client and peer).
     */
    private static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT_PORTS.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }
}
