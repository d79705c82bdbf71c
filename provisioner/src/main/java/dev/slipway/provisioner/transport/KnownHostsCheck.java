package dev.slipway.provisioner.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * Checks the key a host presents against an OpenSSH known-hosts file (plain, hashed and
 * {@code [host]:port} entries), under the endpoint's {@link HostKeyPolicy}. A refusal is kept so
 * that the connect call can throw a {@link TransportException.HostKeyRejected} that explains it.
 */
final class KnownHostsCheck implements ServerKeyVerifier {

    private static final String REVOKED = "revoked";
    private static final String CERT_AUTHORITY = "cert-authority";
    /** Appends to one known-hosts file from several connections at once must not interleave. */
    private static final Object APPEND_LOCK = new Object();

    private final HostEndpoint endpoint;
    private final AtomicReference<TransportException.HostKeyRejected> rejection = new AtomicReference<>();

    KnownHostsCheck(HostEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Why the last key was refused, if it was. */
    TransportException.HostKeyRejected rejection() {
        return rejection.get();
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey presented) {
        List<KnownKey> known;
        try {
            known = knownKeys(endpoint);
        } catch (UncheckedIOException e) {
            return reject(presented, List.of(), e.getCause().getMessage());
        }
        if (known.stream().anyMatch(k -> k.revoked() && KeyUtils.compareKeys(k.key(), presented))) {
            return reject(presented, List.of(), "its key " + fingerprint(presented) + " is marked @revoked in "
                    + endpoint.knownHostsFile());
        }
        List<KnownKey> trusted = known.stream().filter(k -> !k.revoked()).toList();
        if (trusted.stream().anyMatch(k -> KeyUtils.compareKeys(k.key(), presented))) {
            return true;
        }
        if (!trusted.isEmpty()) {
            return rejectChanged(presented, trusted);
        }
        return switch (endpoint.hostKeyPolicy()) {
            case STRICT -> reject(presented, List.of(), "its " + keyType(presented) + " key " + fingerprint(presented)
                    + " is not in " + endpoint.knownHostsFile() + " and hostKeyPolicy is strict. Check the fingerprint"
                    + " on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add it with\n    ssh-keyscan"
                    + (endpoint.port() == HostEndpoint.DEFAULT_PORT ? "" : " -p " + endpoint.port()) + " "
                    + endpoint.address() + " >> " + endpoint.knownHostsFile() + "\nor set hostKeyPolicy: accept-new");
            case ACCEPT_NEW -> learn(presented);
        };
    }

    /** Key types on record for the endpoint, so the client can ask for a key it can check. */
    static Set<String> knownKeyTypes(HostEndpoint endpoint) {
        Set<String> types = new LinkedHashSet<>();
        try {
            knownKeys(endpoint).stream().filter(k -> !k.revoked()).forEach(k -> types.add(k.type()));
        } catch (UncheckedIOException e) {
            // The check itself reports an unreadable file; the order of algorithms does not matter then.
        }
        return types;
    }

    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    private boolean rejectChanged(PublicKey presented, List<KnownKey> trusted) {
        List<String> knownPrints = trusted.stream().map(k -> k.type() + " " + fingerprint(k.key())).toList();
        String removeCommand = "ssh-keygen -R " + HostCommandLine.quote(knownHostsName()) + " -f " + endpoint.knownHostsFile();
        String message = "host " + endpoint.name() + " (" + endpoint.displayAddress() + "): REMOTE HOST KEY CHANGED,"
                + " refusing to connect; no command was run.\n"
                + "  on record in " + endpoint.knownHostsFile() + ": " + String.join(", ", knownPrints) + "\n"
                + "  presented by the host: " + keyType(presented) + " " + fingerprint(presented) + "\n"
                + "Someone may be intercepting the connection, or the host was reinstalled. If you know it was"
                + " reinstalled, remove the old key with\n    " + removeCommand + "\nand connect again.";
        rejection.set(new TransportException.HostKeyRejected(endpoint.name(), endpoint.address(), fingerprint(presented),
                trusted.stream().map(k -> fingerprint(k.key())).toList(), message));
        return false;
    }

    private boolean reject(PublicKey presented, List<String> knownPrints, String why) {
        rejection.set(new TransportException.HostKeyRejected(endpoint.name(), endpoint.address(), fingerprint(presented),
                knownPrints, "host " + endpoint.name() + " (" + endpoint.displayAddress() + "): host key refused, "
                        + why));
        return false;
    }

    private boolean learn(PublicKey presented) {
        StringBuilder line = new StringBuilder(knownHostsName()).append(' ');
        try {
            PublicKeyEntry.appendPublicKeyEntry(line, presented);
            appendLine(line.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            return reject(presented, List.of(), "its key " + fingerprint(presented) + " could not be added to "
                    + endpoint.knownHostsFile() + ": " + e.getMessage());
        }
    }

    private void appendLine(String line) throws IOException {
        Path file = endpoint.knownHostsFile();
        synchronized (APPEND_LOCK) {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            boolean needsNewline = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline(file);
            Files.writeString(file, (needsNewline ? "\n" : "") + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length > 0 && bytes[bytes.length - 1] == '\n';
    }

    /** The name OpenSSH files the host under: {@code address}, or {@code [address]:port}. */
    private String knownHostsName() {
        return endpoint.port() == HostEndpoint.DEFAULT_PORT ? endpoint.address()
                : "[" + endpoint.address() + "]:" + endpoint.port();
    }

    private static String keyType(PublicKey key) {
        return KeyUtils.getKeyType(key);
    }

    private record KnownKey(String type, PublicKey key, boolean revoked) { }

    private static List<KnownKey> knownKeys(HostEndpoint endpoint) {
        Path file = endpoint.knownHostsFile();
        if (!Files.exists(file)) {
            return List.of();
        }
        List<KnownKey> keys = new ArrayList<>();
        try {
            for (KnownHostEntry entry : KnownHostEntry.readKnownHostEntries(file)) {
                if (CERT_AUTHORITY.equals(entry.getMarker()) || !entry.isHostMatch(endpoint.address(), endpoint.port())) {
                    continue;
                }
                PublicKey key = entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                if (key != null) {
                    keys.add(new KnownKey(entry.getKeyEntry().getKeyType(), key, REVOKED.equals(entry.getMarker())));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot read known-hosts file " + file + ": " + e.getMessage(), e));
        }
        return keys;
    }
}
