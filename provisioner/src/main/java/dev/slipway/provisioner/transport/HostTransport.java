package dev.slipway.provisioner.transport;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * One machine reached by Slipway: run commands, move files. One open connection, reused by
 * every call; calls may come from several threads.
 *
 * <p>Every command runs under POSIX {@code sh} with {@code SLIPWAY_ROOT} exported: empty on SSH
 * hosts, the host's folder for the local transport. A command that touches host paths therefore
 * writes {@code "$SLIPWAY_ROOT/etc/slipway/..."}. Paths given to upload and download are host
 * paths ({@code /etc/slipway/x}); the transport resolves them under the root itself.
 */
public interface HostTransport extends AutoCloseable {

    /** The host's name, as in every message. */
    String hostName();

    /** Runs a POSIX sh command line as root; a non-zero exit is a result, not an exception. */
    CommandResult run(String shellCommand, RunOptions options);

    /** Runs with {@link RunOptions#defaults()}. */
    default CommandResult run(String shellCommand) {
        return run(shellCommand, RunOptions.defaults());
    }

    /**
     * Writes the stream to a temporary name beside {@code remotePath}, applies the attributes,
     * then renames: the destination is either the old file or the whole new one. Parent folders
     * are created.
     */
    void upload(InputStream source, String remotePath, FileAttributes attributes);

    /** {@link #upload(InputStream, String, FileAttributes)} from a local file. */
    void upload(Path source, String remotePath, FileAttributes attributes);

    /** Copies the host file into the sink; the sink is not closed. */
    void download(String remotePath, OutputStream sink);

    /** Closes the connection; later calls fail with {@link TransportException.ConnectionLost}. */
    @Override
    void close();
}
