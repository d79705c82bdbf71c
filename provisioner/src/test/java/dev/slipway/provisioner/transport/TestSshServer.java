package dev.slipway.provisioner.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An in-process MINA SSHD server on a loopback port that runs each exec request as a real
 * {@code /bin/sh -c} process of the test user, accepts one client key, and has a host key made for
 * the test (which a test can replace to play a reinstalled or impersonated host).
 */
final class TestSshServer implements AutoCloseable {

    private final SshServer server;
    private final Path dir;
    private final Path clientKey;
    private final AtomicReference<List<KeyPair>> hostKeys = new AtomicReference<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger sessions = new AtomicInteger();

    private TestSshServer(Path dir, String clientKeyType, List<String> hostKeyTypes) throws Exception {
        this.dir = dir;
        this.clientKey = generateClientKey(dir, clientKeyType);
        replaceHostKeys(hostKeyTypes);
        PublicKey allowed = readPublicKey(Path.of(clientKey + ".pub"));
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(session -> hostKeys.get());
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(allowed, key));
        server.setCommandFactory((channel, command) -> new ShellProcess(command));
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessions.incrementAndGet();
            }
        });
        server.start();
    }

    /** A server with an ecdsa host key, and an ed25519 client key made by ssh-keygen. */
    static TestSshServer start(Path dir) throws Exception {
        return new TestSshServer(dir, "ed25519", List.of(KeyPairProvider.ECDSA_SHA2_NISTP256));
    }

    static TestSshServer start(Path dir, String clientKeyType, List<String> hostKeyTypes) throws Exception {
        return new TestSshServer(dir, clientKeyType, hostKeyTypes);
    }

    int port() {
        return server.getPort();
    }

    Path clientKey() {
        return clientKey;
    }

    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    /** An endpoint for this server with the test's key and known-hosts file. */
    HostEndpoint endpoint(String name, HostKeyPolicy policy) {
        return new HostEndpoint(name, "127.0.0.1", port(), "root", clientKey, knownHosts(), policy, Duration.ofSeconds(5));
    }

    /** Writes the current host keys to the known-hosts file, as ssh-keyscan would. */
    void trustCurrentHostKeys() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (KeyPair key : hostKeys.get()) {
            lines.append(knownHostsLine(key.getPublic())).append('\n');
        }
        Files.writeString(knownHosts(), lines);
    }

    String knownHostsLine(PublicKey key) {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key);
    }

    List<PublicKey> hostKeys() {
        return hostKeys.get().stream().map(KeyPair::getPublic).toList();
    }

    /** New host keys (ssh key type names) from now on: a reinstalled host, or someone in the middle. */
    void replaceHostKeys(List<String> keyTypes) throws GeneralSecurityException {
        List<KeyPair> keys = new ArrayList<>();
        for (String type : keyTypes) {
            keys.add(KeyUtils.generateKeyPair(type, type.equals(KeyPairProvider.SSH_RSA) ? 2048 : 256));
        }
        hostKeys.set(List.copyOf(keys));
    }

    /** Every command the server was asked to run, in order. */
    List<String> commandsRun() {
        return List.copyOf(commands);
    }

    /** Drops every open connection, as a host reboot or a broken link would. */
    void dropConnections() {
        server.getActiveSessions().forEach(session -> session.close(true));
    }

    int sessionsOpened() {
        return sessions.get();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    private static Path generateClientKey(Path dir, String type) throws IOException, InterruptedException {
        Path key = dir.resolve("id_" + type);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test", "-f", key.toString()));
        if (type.equals("rsa")) {
            command.addAll(List.of("-b", "2048"));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + output);
        }
        return key;
    }

    private static PublicKey readPublicKey(Path file) throws IOException, GeneralSecurityException {
        return AuthorizedKeyEntry.readAuthorizedKeys(file).getFirst().resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }

    /** {@code /bin/sh -c command} as a real process, its streams piped to the channel. */
    private final class ShellProcess implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        ShellProcess(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            commands.add(command);
            process = new ProcessBuilder("/bin/sh", "-c", command).start();
            Thread.ofVirtual().start(() -> copy(in, process.getOutputStream(), true));
            Thread stdout = Thread.ofVirtual().start(() -> copy(process.getInputStream(), out, false));
            Thread stderr = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err, false));
            Thread.ofVirtual().start(() -> {
                try {
                    int code = process.waitFor();
                    stdout.join();
                    stderr.join();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        private static void copy(InputStream from, OutputStream to, boolean closeTarget) {
            byte[] buffer = new byte[32 * 1024];
            try {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // The process or the channel went away; the exit status tells the client.
            } finally {
                if (closeTarget) {
                    try {
                        to.close();
                    } catch (IOException e) {
                        // nothing left to tell
                    }
                }
            }
        }
    }
}
