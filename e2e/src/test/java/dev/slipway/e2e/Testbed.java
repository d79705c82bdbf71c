package dev.slipway.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.slipway.provisioner.transport.HostEndpoint;
import dev.slipway.provisioner.transport.HostKeyPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Objects;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The five-host testbed ({@code testbed/README.md}) as end-to-end tests see it: runs the real
 * CLI, runs commands on hosts, powers hosts off and on, pulls their cables, changes host keys.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Testbed testbed = new Testbed();
 * }</pre>
 *
 * Before the first test of a run it checks that the test JVM runs as root inside the lab and
 * runs {@code testbed/up 5} (once per run; cheap when the hosts are already up). A test that
 * changes a host puts it back in {@code @AfterEach}, so that the next test finds all five hosts
 * on, linked and with their original keys.
 */
public final class Testbed implements BeforeAllCallback {

    public enum Power { ON, OFF }

    public enum Link { UP, DOWN }

    /** The hosts of {@code testbed/up 5} with their addresses, as in {@code inventories/testbed.yaml}. */
    public static final SequencedMap<String, String> HOSTS = orderedHosts();

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Testbed.class);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(5);
    private static final String LAB_NAMESPACE = "/run/netns/slipway-lab";

    private final Path home = Path.of(System.getProperty("slipway.home", "..")).toAbsolutePath().normalize();

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("up", key -> bringUp(), Boolean.class);
    }

    private Boolean bringUp() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("e2e tests need root (the testbed is made of namespaces); run sudo bin/test");
        }
        if (!insideLab()) {
            throw new IllegalStateException("e2e tests must run inside the lab network namespace, so that they reach "
                    + "the testbed and nothing else: testbed/up 5 && testbed/lab mvn -o -B -pl e2e test -DskipE2E=false");
        }
        script("up", "5");
        return Boolean.TRUE;
    }

    private static boolean insideLab() {
        try {
            Path lab = Path.of(LAB_NAMESPACE);
            if (!Files.exists(lab)) {
                return false;
            }
            String own = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("[^0-9]", "");
            return own.equals(String.valueOf(Files.getAttribute(lab, "unix:ino")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell whether this JVM runs inside the lab", e);
        }
    }

    /** The repository's root folder. */
    public Path home() {
        return home;
    }

    /** {@code inventories/testbed.yaml}, the inventory of the five hosts. */
    public Path inventory() {
        return home.resolve("inventories/testbed.yaml");
    }

    public Path testKey() {
        return home.resolve("testbed/.state/id_ed25519");
    }

    public Path knownHosts() {
        return home.resolve("testbed/.state/known_hosts");
    }

    public String address(String host) {
        return Objects.requireNonNull(HOSTS.get(host), () -> "no testbed host named " + host + "; hosts: " + HOSTS.keySet());
    }

    /** How the transport reaches a host: root, the test key, strict checking against the testbed's known_hosts. */
    public HostEndpoint endpoint(String host) {
        return new HostEndpoint(host, address(host), 22, "root", testKey(), knownHosts(), HostKeyPolicy.STRICT,
                Duration.ofSeconds(5));
    }

    /**
     * Runs the real CLI, {@code bin/slipway ARGS...}, from the repository root. With the system
     * property {@code slipway.e2e.jar} set, runs that jar instead (for a build with a suffix).
     */
    public CommandOutput slipway(String... args) {
        List<String> command = new ArrayList<>();
        String jar = System.getProperty("slipway.e2e.jar", "");
        if (jar.isEmpty()) {
            command.add(home.resolve("bin/slipway").toString());
        } else {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dslipway.home=" + home, "-jar", home.resolve(jar).toString()));
        }
        command.addAll(List.of(args));
        return Subprocess.run(command, home, CLI_TIMEOUT);
    }

    /** Runs a shell command line on a host as root, like {@code ssh root@host COMMAND}. */
    public CommandOutput exec(String host, String command) {
        address(host);
        return Subprocess.run(List.of(home.resolve("testbed/exec").toString(), host, command), home, SCRIPT_TIMEOUT);
    }

    public void power(String host, Power state) {
        script("power", host, state.name().toLowerCase());
    }

    public void link(String host, Link state) {
        script("link", host, state.name().toLowerCase());
    }

    /** Gives the host a new host key (known_hosts keeps the old one) and restarts its sshd. */
    public void rekey(String host) {
        script("rekey", host);
    }

    /** Puts the host's original key back; a no-op when it has it. */
    public void restoreHostKey(String host) {
        script("rekey", host, "--restore");
    }

    /** SHA256 fingerprint (as OpenSSH prints it) of the key known_hosts holds for the host. */
    public String knownFingerprint(String host) {
        Path keys = hostDir(host).resolve("ssh");
        Path original = keys.resolve("ssh_host_ed25519_key.orig.pub");
        return fingerprint(Files.exists(original) ? original : keys.resolve("ssh_host_ed25519_key.pub"));
    }

    /** SHA256 fingerprint of the key the host's sshd presents now. */
    public String presentedFingerprint(String host) {
        return fingerprint(hostDir(host).resolve("ssh/ssh_host_ed25519_key.pub"));
    }

    /** How many logins the host's sshd has accepted so far (from its log). */
    public long acceptedLogins(String host) {
        try {
            Path log = hostDir(host).resolve("log/sshd.log");
            try (var lines = Files.lines(log)) {
                return lines.filter(line -> line.contains("Accepted publickey")).count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path hostDir(String host) {
        address(host);
        return home.resolve("testbed/.state/hosts").resolve(host);
    }

    private void script(String name, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("testbed").resolve(name).toString());
        command.addAll(List.of(args));
        CommandOutput output = Subprocess.run(command, home, SCRIPT_TIMEOUT);
        if (!output.succeeded()) {
            throw new IllegalStateException("testbed script failed: " + output);
        }
    }

    private static String fingerprint(Path publicKeyFile) {
        try {
            String blob = Files.readString(publicKeyFile, US_ASCII).trim().split("\\s+")[1];
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(blob));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read host key " + publicKeyFile, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SequencedMap<String, String> orderedHosts() {
        var hosts = new LinkedHashMap<String, String>();
        hosts.put("master-1", "10.77.0.11");
        hosts.put("master-2", "10.77.0.12");
        hosts.put("master-3", "10.77.0.13");
        hosts.put("worker-1", "10.77.0.21");
        hosts.put("worker-2", "10.77.0.22");
        return Collections.unmodifiableSequencedMap(hosts);
    }
}
