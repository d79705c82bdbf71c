package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.regex.Pattern;

/** The sh command lines Slipway sends to an SSH host: quoting, root, and the file moves. */
final class HostCommandLine {

    private static final Pattern SAFE_PATH = Pattern.compile("/[^\\x00\\n\\r]*");

    private HostCommandLine() {
    }

    /** Quotes a word for POSIX sh: single quotes, with each ' written as '\''. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** How long after the caller gave up the host's own timer stops the command, then kills it. */
    private static final long HOST_TIMER_GRACE_SECONDS = 5;

    /**
     * The remote command for a caller's command: always POSIX sh (the login shell may be bash or
     * anything), {@code SLIPWAY_ROOT} exported empty, and {@code sudo -n} for a user other than root
     * (no password prompt can be answered, so fail at once instead of hanging).
     */
    static String wrap(String shellCommand, boolean sudo) {
        return (sudo ? "sudo -n " : "") + "sh -c " + quote(script(shellCommand));
    }

    /**
     * As {@link #wrap(String, boolean)}, with a timer on the host: sshd does not stop a command
     * when its channel closes, so coreutils {@code timeout} (where installed) ends it a little after
     * the caller gave up.
     */
    static String wrap(String shellCommand, boolean sudo, Duration timeout) {
        long seconds = (timeout.toMillis() + 999) / 1000 + HOST_TIMER_GRACE_SECONDS;
        String launcher = "if command -v timeout >/dev/null 2>&1; then exec timeout -k " + HOST_TIMER_GRACE_SECONDS
                + " " + seconds + " sh -c \"$0\"; else exec sh -c \"$0\"; fi";
        return (sudo ? "sudo -n " : "") + "sh -c " + quote(launcher) + " " + quote(script(shellCommand));
    }

    private static String script(String shellCommand) {
        return "SLIPWAY_ROOT=; export SLIPWAY_ROOT\n" + shellCommand;
    }

    /** Rejects host paths that are relative, or hold characters no file of ours has. */
    static String checkedPath(String host, String remotePath) {
        if (!SAFE_PATH.matcher(remotePath).matches() || remotePath.endsWith("/")
                || ("/" + remotePath + "/").contains("/../") || ("/" + remotePath + "/").contains("/./")) {
            throw new IllegalArgumentException("host " + host + ": '" + remotePath
                    + "' is not an absolute, normalized file path");
        }
        return remotePath;
    }

    static String parent(String remotePath) {
        int slash = remotePath.lastIndexOf('/');
        return slash == 0 ? "/" : remotePath.substring(0, slash);
    }

    static String fileName(String remotePath) {
        return remotePath.substring(remotePath.lastIndexOf('/') + 1);
    }

    /** First half of an upload: stdin into a private temporary file beside the destination. */
    static String receiveInto(String temporary) {
        return "mkdir -p -- " + quote(parent(temporary)) + " && umask 077 && cat > " + quote(temporary);
    }

    /**
     * Second half: only a temporary file of the expected size gets its attributes and replaces the
     * destination, so a stream cut short never becomes the file.
     */
    static String install(String temporary, String destination, long expectedBytes, FileAttributes attributes) {
        String tmp = quote(temporary);
        return "n=$(wc -c < " + tmp + ") || exit 1\n"
                + "if [ $n -ne " + expectedBytes + " ]; then rm -f -- " + tmp
                + "; echo \"received $n of " + expectedBytes + " bytes\" >&2; exit 1; fi\n"
                + "chmod " + attributes.mode() + " " + tmp
                + " && chown " + quote(attributes.owner()) + " " + tmp
                + " && mv -f -- " + tmp + " " + quote(destination)
                + " || { rc=$?; rm -f -- " + tmp + "; exit $rc; }";
    }

    static String remove(String temporary) {
        return "rm -f -- " + quote(temporary);
    }

    static String read(String remotePath) {
        return "cat -- " + quote(remotePath);
    }
}
