package dev.slipway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program on this machine (inside the lab, where the tests run) and collects its output. */
public final class Subprocess {

    private static final Duration PIPE_GRACE = Duration.ofSeconds(5);

    private Subprocess() {
    }

    /** Runs {@code command} in {@code directory}, stdin empty; a run longer than {@code timeout} is killed and fails. */
    static CommandOutput run(List<String> command, Path directory, Duration timeout) {
        return run(command, directory, null, timeout);
    }

    /** Runs {@code command} in {@code directory} with {@code stdin} as its input (null: empty); a run longer than {@code timeout} is killed and fails. */
    public static CommandOutput run(List<String> command, Path directory, String stdin, Duration timeout) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread stdoutReader = Thread.ofVirtual().start(() -> copy(process.getInputStream(), stdout));
        Thread stderrReader = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), stderr));
        if (stdin != null) {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The program exited before reading all its input; its own output says why.
            }
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("still running after " + timeout + ", killed: " + String.join(" ", command)
                        + "\nstdout so far:\n" + text(stdout) + "\nstderr so far:\n" + text(stderr));
            }
            // A background child of the program may hold its pipes open for ever: read on briefly, then stop.
            stdoutReader.join(PIPE_GRACE);
            stderrReader.join(PIPE_GRACE);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
        return new CommandOutput(command, process.exitValue(), text(stdout), text(stderr));
    }

    private static void copy(InputStream from, ByteArrayOutputStream to) {
        try (from) {
            byte[] buffer = new byte[8192];
            for (int n; (n = from.read(buffer)) >= 0; ) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The process was killed; what was read so far is kept.
        }
    }

    private static String text(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
