package dev.slipway.provisioner.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link HostTransport} for the local provider: the "host" is a folder on this machine. Commands
 * run under {@code sh -c} as the operator with {@code SLIPWAY_ROOT} set to the folder; host paths
 * resolve under it. File owners are not changed (the folder belongs to the operator).
 */
public final class LocalTransport implements HostTransport {

    private final String hostName;
    private final Path rootDir;

    public LocalTransport(String hostName, Path rootDir) {
        this.hostName = hostName;
        this.rootDir = rootDir.toAbsolutePath().normalize();
    }

    @Override
    public String hostName() {
        return hostName;
    }

    public Path rootDir() {
        return rootDir;
    }

    /** Where a host path lives on this machine. */
    public Path resolve(String hostPath) {
        HostCommandLine.checkedPath(hostName, hostPath);
        return rootDir.resolve(hostPath.substring(1));
    }

    @Override
    public CommandResult run(String shellCommand, RunOptions options) {
        LineStream out = new LineStream(options.stdoutLines());
        LineStream err = new LineStream(options.stderrLines());
        long start = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(rootDir);
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", shellCommand).directory(rootDir.toFile());
            builder.environment().put("SLIPWAY_ROOT", rootDir.toString());
            process = builder.start();
        } catch (IOException e) {
            throw new TransportException.ConnectionLost(hostName, "cannot start sh: " + e.getMessage(), e);
        }
        Thread outPump = Thread.ofVirtual().start(() -> pump(process.getInputStream(), out));
        Thread errPump = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), err));
        try {
            process.getOutputStream().close();
            if (!process.waitFor(options.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new TransportException.CommandTimedOut(hostName, shellCommand, options.timeout());
            }
            // A background child may hold the pipes open; its output after exit is not this command's.
            outPump.join(Duration.ofSeconds(5));
            errPump.join(Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new TransportException.ConnectionLost(hostName, "running '" + shellCommand + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TransportException.ConnectionLost(hostName, "interrupted while running '" + shellCommand + "'", e);
        } finally {
            out.close();
            err.close();
        }
        return new CommandResult(hostName, shellCommand, process.exitValue(), out.text(), err.text(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public void upload(Path source, String remotePath, FileAttributes attributes) {
        try (InputStream in = Files.newInputStream(source)) {
            upload(in, remotePath, attributes);
        } catch (IOException e) {
            throw new TransportException.TransferFailed(hostName, remotePath, "cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void upload(InputStream source, String remotePath, FileAttributes attributes) {
        Path destination = resolve(remotePath);
        Path temporary = null;
        try {
            Files.createDirectories(destination.getParent());
            // createTempFile makes the file 0600, so a secret is never readable before its mode is set.
            temporary = Files.createTempFile(destination.getParent(), "." + destination.getFileName() + ".slipway-", ".tmp");
            try (OutputStream out = Files.newOutputStream(temporary)) {
                source.transferTo(out);
            }
            Files.setPosixFilePermissions(temporary, permissions(attributes.mode()));
            Files.move(temporary, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(temporary);
            throw new TransportException.TransferFailed(hostName, remotePath, String.valueOf(e.getMessage()), e);
        }
    }

    @Override
    public void download(String remotePath, OutputStream sink) {
        try {
            Files.copy(resolve(remotePath), sink);
        } catch (NoSuchFileException e) {
            throw new TransportException.TransferFailed(hostName, remotePath, "no such file " + e.getFile(), e);
        } catch (IOException e) {
            throw new TransportException.TransferFailed(hostName, remotePath, String.valueOf(e.getMessage()), e);
        }
    }

    /** Nothing to close: every command is its own process. */
    @Override
    public void close() {
    }

    private static void pump(InputStream from, OutputStream to) {
        try (from) {
            from.transferTo(to);
        } catch (IOException e) {
            // The process is gone or was killed; what arrived so far is kept.
        }
    }

    /** Permission bits of an octal mode; setuid, setgid and sticky bits are not applied locally. */
    static Set<PosixFilePermission> permissions(String mode) {
        int bits = Integer.parseInt(mode, 8) & 0777;
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < order.length; bit++) {
            if ((bits & (1 << bit)) != 0) {
                permissions.add(order[bit]);
            }
        }
        return permissions;
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The upload already failed and says so; a leftover hidden temporary file is harmless.
        }
    }
}
