package dev.slipway.e2e;

import java.util.List;

/** What a program run by a test did: its exit code and everything it printed. */
public record CommandOutput(List<String> command, int exitCode, String stdout, String stderr) {

    public CommandOutput {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Both streams, for assertions about a message wherever the program printed it. */
    public String allOutput() {
        return stdout + stderr;
    }

    /** The whole run, for assertion messages. */
    @Override
    public String toString() {
        return String.join(" ", command) + "\n  exit code: " + exitCode
                + "\n  stdout:\n" + stdout.indent(4) + "  stderr:\n" + stderr.indent(4);
    }
}
