package dev.slipway.provisioner.transport;

import java.time.Duration;

/** What one host's action in a {@link HostFanout} came to: its value or its failure. */
public sealed interface HostOutcome<R> {

    /** The host's name. */
    String host();

    /** Wall time of the host's action. */
    Duration elapsed();

    record Succeeded<R>(String host, R value, Duration elapsed) implements HostOutcome<R> { }

    record Failed<R>(String host, Exception error, Duration elapsed) implements HostOutcome<R> { }
}
