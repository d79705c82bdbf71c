package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What a command did on a host. A non-zero exit code is a result, not an exception: callers
 * decide, or call {@link #orThrow()}.
 *
 * @param host     the host's name
 * @param command  the command as the caller gave it (before any sudo wrapping)
 * @param exitCode the exit status of {@code sh -c}
 * @param stdout   everything the command wrote to standard output
 * @param stderr   everything the command wrote to standard error
 * @param elapsed  wall time from start to exit
 */
public record CommandResult(String host, String command, int exitCode, String stdout, String stderr, Duration elapsed) {

    public CommandResult {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** This result when the command succeeded, else {@link TransportException.CommandFailed}. */
    public CommandResult orThrow() {
        if (!succeeded()) {
            throw new TransportException.CommandFailed(this);
        }
        return this;
    }
}
