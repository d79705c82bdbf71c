package dev.slipway.provisioner.transport.bench;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.HostEndpoint;
import dev.slipway.provisioner.transport.HostFanout;
import dev.slipway.provisioner.transport.HostKeyPolicy;
import dev.slipway.provisioner.transport.HostOutcome;
import dev.slipway.provisioner.transport.SshTransport;

/**
 * Uploads N MB of generated data to every host at once over {@link SshTransport} and prints the
 * throughput per host and in total. Not run by the tests.
 *
 * <p>Usage (from {@code /work/main}, inside the lab for the testbed: {@code testbed/lab ...}):
 * <pre>
 * source bin/lib/jdk.sh
 * mvn -q -B -Dbuild.suffix=-bench -pl provisioner -am test-compile -DskipTests
 * mvn -q -B -Dbuild.suffix=-bench -pl provisioner dependency:build-classpath -Dmdep.outputFile=/tmp/slipway-bench.cp
 * java -cp provisioner/target-bench/test-classes:provisioner/target-bench/classes:$(cat /tmp/slipway-bench.cp) \
 *      dev.slipway.provisioner.transport.bench.UploadBench \
 *      --mb 200 --key testbed/.state/id_ed25519 --known-hosts testbed/.state/known_hosts \
 *      10.77.0.11 10.77.0.12 10.77.0.13 10.77.0.21 10.77.0.22
 * </pre>
 * Options: {@code --mb N} (default 100), {@code --user U} (root), {@code --port P} (22),
 * {@code --key FILE}, {@code --known-hosts FILE}, {@code --accept-new} (learn unknown host keys),
 * {@code --dest PATH} (default {@code /var/tmp/slipway-bench.bin}, removed afterwards). Each host
 * argument is {@code address} or {@code name=address}. Connection time is not counted; the
 * printed time covers the upload including the final rename.
 */
public final class UploadBench {

    private UploadBench() {
    }

    public static void main(String[] args) throws Exception {
        long megabytes = 100;
        String user = "root";
        int port = 22;
        Path key = Path.of(System.getProperty("user.home"), ".ssh", "id_ed25519");
        Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        HostKeyPolicy policy = HostKeyPolicy.STRICT;
        String destination = "/var/tmp/slipway-bench.bin";
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> megabytes = Long.parseLong(args[++i]);
                case "--user" -> user = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--key" -> key = Path.of(args[++i]);
                case "--known-hosts" -> knownHosts = Path.of(args[++i]);
                case "--accept-new" -> policy = HostKeyPolicy.ACCEPT_NEW;
                case "--dest" -> destination = args[++i];
                default -> hosts.add(args[i]);
            }
        }
        if (hosts.isEmpty()) {
            System.err.println("usage: UploadBench [--mb N] [--user U] [--port P] [--key FILE] [--known-hosts FILE]"
                    + " [--accept-new] [--dest PATH] host...");
            System.exit(2);
        }
        List<HostEndpoint> endpoints = new ArrayList<>();
        for (String host : hosts) {
            String[] parts = host.split("=", 2);
            String name = parts.length == 2 ? parts[0] : host;
            String address = parts.length == 2 ? parts[1] : host;
            endpoints.add(new HostEndpoint(name, address, port, user, key, knownHosts, policy, Duration.ofSeconds(10)));
        }
        long bytes = megabytes * 1024 * 1024;
        String dest = destination;
        HostFanout fanout = new HostFanout(endpoints.size(), new HostFanout.Listener() {
            @Override
            public void finished(HostOutcome<?> outcome) {
                if (outcome instanceof HostOutcome.Failed<?> failed) {
                    System.out.printf("%-12s FAILED %s%n", failed.host(), failed.error().getMessage());
                }
            }
        });
        long start = System.nanoTime();
        List<HostOutcome<Duration>> outcomes = fanout.run(endpoints, HostEndpoint::name, endpoint -> {
            try (SshTransport transport = SshTransport.connect(endpoint)) {
                long uploadStart = System.nanoTime();
                transport.upload(new GeneratedBytes(bytes), dest, FileAttributes.publicFile());
                Duration took = Duration.ofNanos(System.nanoTime() - uploadStart);
                transport.run("rm -f " + dest).orThrow();
                System.out.printf("%-12s %d MB in %.2f s = %.1f MB/s%n", endpoint.name(), bytes >> 20,
                        took.toNanos() / 1e9, (bytes / 1048576.0) / (took.toNanos() / 1e9));
                return took;
            }
        });
        double wall = (System.nanoTime() - start) / 1e9;
        long succeeded = outcomes.stream().filter(o -> o instanceof HostOutcome.Succeeded<?>).count();
        System.out.printf("total: %d of %d hosts, %d MB in %.2f s wall (connect included) = %.1f MB/s aggregate%n",
                succeeded, outcomes.size(), succeeded * (bytes >> 20), wall, succeeded * (bytes / 1048576.0) / wall);
        System.exit(succeeded == outcomes.size() ? 0 : 1);
    }

    /** Pseudo-random bytes made on the fly; incompressible, never all in memory. */
    private static final class GeneratedBytes extends InputStream {
        private final long size;
        private final Random random = new Random(1);
        private long produced;

        GeneratedBytes(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (produced >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - produced);
            for (int i = 0; i < n; i += 8) {
                long value = random.nextLong();
                for (int b = 0; b < 8 && i + b < n; b++) {
                    buffer[offset + i + b] = (byte) (value >>> (8 * b));
                }
            }
            produced += n;
            return n;
        }
    }
}
