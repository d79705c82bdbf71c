package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.List;

/**
 * Anything that went wrong reaching a host or acting on it. The message always names the host;
 * the subtypes carry the details a caller may act on.
 */
public abstract sealed class TransportException extends RuntimeException {

    private final String host;

    private TransportException(String host, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
    }

    /** The host's name as the inventory spells it. */
    public String host() {
        return host;
    }

    /** The host could not be reached or would not let us log in, after every attempt. */
    public static final class ConnectFailed extends TransportException {
        private final String address;
        private final int attempts;

        public ConnectFailed(String host, String address, int attempts, String reason, Throwable cause) {
            super(host, "host " + host + " (" + address + "): cannot connect"
                    + (attempts == 0 ? ": " : " after " + attempts + (attempts == 1 ? " attempt: " : " attempts: "))
                    + reason, cause);
            this.address = address;
            this.attempts = attempts;
        }

        public String address() {
            return address;
        }

        public int attempts() {
            return attempts;
        }
    }

    /**
     * The host presented a key that the known-hosts file does not vouch for: unknown under the
     * strict policy, or different from the key on record. No command ran on the host.
     */
    public static final class HostKeyRejected extends TransportException {
        private final String address;
        private final String presentedFingerprint;
        private final List<String> knownFingerprints;

        public HostKeyRejected(String host, String address, String presentedFingerprint,
                               List<String> knownFingerprints, String message) {
            super(host, message, null);
            this.address = address;
            this.presentedFingerprint = presentedFingerprint;
            this.knownFingerprints = List.copyOf(knownFingerprints);
        }

        public String address() {
            return address;
        }

        /** SHA256:… fingerprint of the key the host presented. */
        public String presentedFingerprint() {
            return presentedFingerprint;
        }

        /** SHA256:… fingerprints on record for this host; empty when the host was unknown. */
        public List<String> knownFingerprints() {
            return knownFingerprints;
        }

        public boolean keyChanged() {
            return !knownFingerprints.isEmpty();
        }
    }

    /** A command ran longer than its timeout; its channel was closed. */
    public static final class CommandTimedOut extends TransportException {
        private final String command;
        private final Duration timeout;

        public CommandTimedOut(String host, String command, Duration timeout) {
            super(host, "host " + host + ": command timed out after " + timeout.toString().substring(2).toLowerCase()
                    + ": " + command, null);
            this.command = command;
            this.timeout = timeout;
        }

        public String command() {
            return command;
        }

        public Duration timeout() {
            return timeout;
        }
    }

    /** A command exited non-zero and the caller asked for success ({@link CommandResult#orThrow()}). */
    public static final class CommandFailed extends TransportException {
        private final CommandResult result;

        public CommandFailed(CommandResult result) {
            super(result.host(), "host " + result.host() + ": command exited " + result.exitCode() + ": "
                    + result.command() + tail(result.stderr()), null);
            this.result = result;
        }

        public CommandResult result() {
            return result;
        }

        private static String tail(String stderr) {
            String trimmed = stderr.strip();
            if (trimmed.isEmpty()) {
                return "";
            }
            // The last lines carry the reason; a whole log in a message helps nobody.
            return "\n" + (trimmed.length() > 2000 ? "…" + trimmed.substring(trimmed.length() - 2000) : trimmed);
        }
    }

    /** A file could not be moved to or from the host; the destination was left as it was. */
    public static final class TransferFailed extends TransportException {
        private final String remotePath;

        public TransferFailed(String host, String remotePath, String reason, Throwable cause) {
            super(host, "host " + host + ": transfer of " + remotePath + " failed: " + reason, cause);
            this.remotePath = remotePath;
        }

        public String remotePath() {
            return remotePath;
        }
    }

    /** The connection broke while a command ran, or the transport was already closed. */
    public static final class ConnectionLost extends TransportException {
        public ConnectionLost(String host, String reason, Throwable cause) {
            super(host, "host " + host + ": connection lost: " + reason, cause);
        }
    }
}
