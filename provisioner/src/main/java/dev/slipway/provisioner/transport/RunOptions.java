package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to run one command: how long it may take, and who hears its output line by line while it
 * runs (the whole output is also collected in the {@link CommandResult}).
 */
public record RunOptions(Duration timeout, Consumer<String> stdoutLines, Consumer<String> stderrLines) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public RunOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(stdoutLines, "stdoutLines");
        Objects.requireNonNull(stderrLines, "stderrLines");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive, got " + timeout);
        }
    }

    /** Ten minutes, output only collected. */
    public static RunOptions defaults() {
        return new RunOptions(DEFAULT_TIMEOUT, line -> { }, line -> { });
    }

    public RunOptions withTimeout(Duration newTimeout) {
        return new RunOptions(newTimeout, stdoutLines, stderrLines);
    }

    public RunOptions withStdoutLines(Consumer<String> consumer) {
        return new RunOptions(timeout, consumer, stderrLines);
    }

    public RunOptions withStderrLines(Consumer<String> consumer) {
        return new RunOptions(timeout, stdoutLines, consumer);
    }
}
