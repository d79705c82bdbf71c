package dev.slipway.provisioner.transport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * {@link HostTransport} over SSH with Apache MINA SSHD: one session per host, reused by every
 * command and transfer (one exec channel each), reopened if the host dropped it.
 */
public final class SshTransport implements HostTransport {

    /** Connection attempts; their total time stays within connectTimeout × this plus the short pauses between. */
    static final int CONNECT_ATTEMPTS = 3;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    /** 250 ms, then 500 ms: the sum of the pauses between attempts. */
    private static final Duration ALL_BACKOFFS = FIRST_BACKOFF.multipliedBy((1L << (CONNECT_ATTEMPTS - 1)) - 1);
    private static final Duration CHANNEL_OPEN_TIMEOUT = Duration.ofSeconds(30);
    /** After the last byte of an upload, how long the host may take to finish writing it. */
    private static final Duration UPLOAD_SETTLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "QUIT", 3, "ABRT", 6, "KILL", 9,
            "SEGV", 11, "PIPE", 13, "ALRM", 14, "TERM", 15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HostEndpoint endpoint;
    private final SshClient client;
    private final List<KeyPair> identity;
    private ClientSession session;
    private boolean closed;

    private SshTransport(HostEndpoint endpoint, SshClient client, List<KeyPair> identity) {
        this.endpoint = endpoint;
        this.client = client;
        this.identity = identity;
    }

    /**
     * Connects and logs in, retrying transient failures with backoff. A refused host key or a
     * refused login is not retried.
     *
     * @throws TransportException.HostKeyRejected when the known-hosts file does not vouch for the host
     * @throws TransportException.ConnectFailed   when the host cannot be reached or refuses the login
     */
    public static SshTransport connect(HostEndpoint endpoint) {
        List<KeyPair> identity = loadIdentity(endpoint);
        SshTransport transport = new SshTransport(endpoint, SharedSshClient.acquire(), identity);
        try {
            transport.session();
            return transport;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    @Override
    public String hostName() {
        return endpoint.name();
    }

    public HostEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public CommandResult run(String shellCommand, RunOptions options) {
        LineStream out = new LineStream(options.stdoutLines());
        LineStream err = new LineStream(options.stderrLines());
        long start = System.nanoTime();
        int exitCode;
        try (ChannelExec channel = openChannel(HostCommandLine.wrap(shellCommand, endpoint.needsSudo(), options.timeout()), out, err)) {
            channel.getInvertedIn().close();
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), options.timeout());
            if (!events.contains(ClientChannelEvent.CLOSED)) {
                channel.close(true);
                throw new TransportException.CommandTimedOut(endpoint.name(), shellCommand, options.timeout());
            }
            exitCode = exitCodeOf(channel, shellCommand);
        } catch (IOException e) {
            throw lost("running '" + shellCommand + "'", e);
        } finally {
            out.close();
            err.close();
        }
        return new CommandResult(endpoint.name(), shellCommand, exitCode, out.text(), err.text(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public void upload(Path source, String remotePath, FileAttributes attributes) {
        try (InputStream in = Files.newInputStream(source)) {
            upload(in, remotePath, attributes);
        } catch (IOException e) {
            throw new TransportException.TransferFailed(endpoint.name(), remotePath, "cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void upload(InputStream source, String remotePath, FileAttributes attributes) {
        HostCommandLine.checkedPath(endpoint.name(), remotePath);
        String temporary = HostCommandLine.parent(remotePath) + "/." + HostCommandLine.fileName(remotePath)
                + ".slipway-" + HexFormat.of().formatHex(RANDOM.generateSeed(6)) + ".tmp";
        long bytes = receive(source, remotePath, temporary);
        CommandResult installed = run(HostCommandLine.install(temporary, remotePath, bytes, attributes),
                RunOptions.defaults().withTimeout(INSTALL_TIMEOUT));
        if (!installed.succeeded()) {
            throw new TransportException.TransferFailed(endpoint.name(), remotePath,
                    "cannot put the file in place: " + installed.stderr().strip(), null);
        }
    }

    /** Streams the source into the temporary file; returns the byte count. */
    private long receive(InputStream source, String remotePath, String temporary) {
        LineStream err = new LineStream(line -> { });
        long bytes = 0;
        try (ChannelExec channel = openChannel(HostCommandLine.wrap(HostCommandLine.receiveInto(temporary),
                endpoint.needsSudo()), OutputStream.nullOutputStream(), err)) {
            OutputStream remote = channel.getInvertedIn();
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n;
                try {
                    n = source.read(buffer);
                } catch (IOException e) {
                    // Close without EOF: the temporary file is removed, the destination never touched.
                    channel.close(true);
                    removeQuietly(temporary);
                    throw new TransportException.TransferFailed(endpoint.name(), remotePath,
                            "reading the source failed after " + bytes + " bytes: " + e.getMessage(), e);
                }
                if (n < 0) {
                    break;
                }
                try {
                    remote.write(buffer, 0, n);
                } catch (IOException e) {
                    channel.close(true);
                    removeQuietly(temporary);
                    throw new TransportException.TransferFailed(endpoint.name(), remotePath,
                            "the host stopped receiving after " + bytes + " bytes: " + reason(e, err), e);
                }
                bytes += n;
            }
            remote.close();
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), UPLOAD_SETTLE_TIMEOUT);
            Integer status = channel.getExitStatus();
            if (!events.contains(ClientChannelEvent.CLOSED) || status == null || status != 0) {
                channel.close(true);
                removeQuietly(temporary);
                throw new TransportException.TransferFailed(endpoint.name(), remotePath,
                        "writing " + temporary + " failed: " + err.text().strip(), null);
            }
            return bytes;
        } catch (IOException e) {
            removeQuietly(temporary);
            throw new TransportException.TransferFailed(endpoint.name(), remotePath, e.getMessage(), e);
        }
    }

    @Override
    public void download(String remotePath, OutputStream sink) {
        HostCommandLine.checkedPath(endpoint.name(), remotePath);
        LineStream err = new LineStream(line -> { });
        // MINA closes a channel's output stream with the channel; the caller owns the sink.
        OutputStream unclosable = new FilterOutputStream(sink) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (ChannelExec channel = openChannel(HostCommandLine.wrap(HostCommandLine.read(remotePath), endpoint.needsSudo()),
                unclosable, err)) {
            channel.getInvertedIn().close();
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ZERO);
            Integer status = channel.getExitStatus();
            if (status == null || status != 0) {
                throw new TransportException.TransferFailed(endpoint.name(), remotePath, err.text().strip().isEmpty()
                        ? "the host ended the transfer without a status" : err.text().strip(), null);
            }
        } catch (IOException e) {
            throw new TransportException.TransferFailed(endpoint.name(), remotePath, e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        ClientSession toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = session;
            session = null;
        }
        try {
            if (toClose != null) {
                toClose.close(true);
            }
        } finally {
            SharedSshClient.release();
        }
    }

    private ChannelExec openChannel(String remoteCommand, OutputStream out, OutputStream err) throws IOException {
        ClientSession current = session();
        try {
            return openChannel(current, remoteCommand, out, err);
        } catch (IOException | IllegalStateException e) {
            if (current.isOpen()) {
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
            // The host dropped the connection before the command started: safe to reconnect and start it once.
            return openChannel(session(), remoteCommand, out, err);
        }
    }

    private static ChannelExec openChannel(ClientSession on, String remoteCommand, OutputStream out, OutputStream err)
            throws IOException {
        ChannelExec channel = on.createExecChannel(remoteCommand);
        channel.setOut(out);
        channel.setErr(err);
        channel.setRedirectErrorStream(false);
        channel.open().verify(CHANNEL_OPEN_TIMEOUT);
        return channel;
    }

    /** The open session, reconnecting when the host dropped the previous one. */
    private synchronized ClientSession session() {
        if (closed) {
            throw new TransportException.ConnectionLost(endpoint.name(), "the transport is closed", null);
        }
        if (session == null || !session.isOpen()) {
            session = openSession();
        }
        return session;
    }

    private ClientSession openSession() {
        long deadline = System.nanoTime() + endpoint.connectTimeout().multipliedBy(CONNECT_ATTEMPTS).plus(ALL_BACKOFFS).toNanos();
        Duration backoff = FIRST_BACKOFF;
        List<String> failures = new ArrayList<>();
        Exception last = null;
        for (int attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
            Duration budget = min(endpoint.connectTimeout(), Duration.ofNanos(deadline - System.nanoTime()));
            KnownHostsCheck hostKeyCheck = new KnownHostsCheck(endpoint);
            try {
                return login(budget, hostKeyCheck);
            } catch (IOException | GeneralSecurityException e) {
                if (hostKeyCheck.rejection() != null) {
                    throw hostKeyCheck.rejection();
                }
                last = e;
                failures.add(describe(e));
                if (isPermanent(e)) {
                    throw new TransportException.ConnectFailed(endpoint.name(), endpoint.displayAddress(), attempt,
                            describe(e), e);
                }
            }
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (attempt == CONNECT_ATTEMPTS || left.compareTo(backoff) <= 0) {
                throw new TransportException.ConnectFailed(endpoint.name(), endpoint.displayAddress(), attempt,
                        String.join("; ", failures), last);
            }
            pause(backoff);
            backoff = backoff.multipliedBy(2);
        }
        throw new IllegalStateException("unreachable");
    }

    private ClientSession login(Duration budget, KnownHostsCheck hostKeyCheck) throws IOException, GeneralSecurityException {
        long start = System.nanoTime();
        ConnectFuture future = client.connect(endpoint.user(), endpoint.address(), endpoint.port(),
                SharedSshClient.contextFor(new SharedSshClient.Connection(endpoint, hostKeyCheck)));
        ClientSession opened;
        try {
            opened = future.verify(budget).getSession();
        } catch (IOException e) {
            future.cancel();
            throw e;
        }
        try {
            identity.forEach(opened::addPublicKeyIdentity);
            Duration left = budget.minusNanos(System.nanoTime() - start);
            opened.auth().verify(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left);
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close(true);
            throw e;
        }
    }

    /** A refused login or an unknown name will not change by trying again. */
    private static boolean isPermanent(Exception e) {
        String message = String.valueOf(e.getMessage());
        return e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException
                || message.contains("No more authentication methods available");
    }

    private String describe(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No more authentication methods available")) {
            return "user " + endpoint.user() + " was refused with the key " + endpoint.identityFile()
                    + " (is its public key in the host's authorized_keys?)";
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ConnectException) {
            return "connection refused (is sshd listening on port " + endpoint.port() + "?)";
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host name " + endpoint.address();
        }
        if (message.toLowerCase().contains("timeout") || message.toLowerCase().contains("timed out")) {
            return "no SSH answer within " + endpoint.connectTimeout().toString().substring(2).toLowerCase();
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    private static List<KeyPair> loadIdentity(HostEndpoint endpoint) {
        Path file = endpoint.identityFile();
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
                    FilePasswordProvider.EMPTY);
            List<KeyPair> loaded = new ArrayList<>();
            if (keys != null) {
                keys.forEach(loaded::add);
            }
            if (loaded.isEmpty()) {
                throw new IOException("no private key in the file");
            }
            return List.copyOf(loaded);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // Zero attempts: nothing was sent to the host.
            throw new TransportException.ConnectFailed(endpoint.name(), endpoint.displayAddress(), 0,
                    "cannot load identity file " + file + " (an unencrypted OpenSSH private key is needed): "
                            + e.getMessage(), e);
        }
    }

    private int exitCodeOf(ChannelExec channel, String shellCommand) {
        Integer status = channel.getExitStatus();
        if (status != null) {
            return status;
        }
        String signal = channel.getExitSignal();
        if (signal != null) {
            return 128 + SIGNALS.getOrDefault(signal, 0);
        }
        throw lost("running '" + shellCommand + "': the channel closed without an exit status", null);
    }

    private TransportException.ConnectionLost lost(String doing, Exception cause) {
        return new TransportException.ConnectionLost(endpoint.name(),
                doing + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private String reason(IOException e, LineStream err) {
        String stderr = err.text().strip();
        return stderr.isEmpty() ? String.valueOf(e.getMessage()) : stderr;
    }

    private void removeQuietly(String temporary) {
        try {
            run(HostCommandLine.remove(temporary), RunOptions.defaults().withTimeout(Duration.ofSeconds(30)));
        } catch (TransportException e) {
            // The upload already failed and says so; a leftover hidden temporary file is harmless.
        }
    }

    private static Duration min(Duration a, Duration b) {
        Duration floor = Duration.ofMillis(1);
        Duration smaller = a.compareTo(b) <= 0 ? a : b;
        return smaller.compareTo(floor) < 0 ? floor : smaller;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException.ConnectionLost(endpoint.name(), "interrupted while waiting to reconnect", e);
        }
    }
}
