package dev.slipway.pki;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What {@link PkiDirectory} found and did, one outcome per catalogue entry, in catalogue order. */
public record PkiReport(List<Outcome> outcomes) {

    public PkiReport {
        outcomes = List.copyOf(outcomes);
    }

    /** The fate of one certificate (or the service-account key pair). */
    public sealed interface Outcome {
        String name();
    }

    /** Made in this run: new files (a certificate may have been made for a key that was already there). */
    public record Created(String name, List<Path> files) implements Outcome {
        public Created {
            files = List.copyOf(files);
        }
    }

    /** Present and verified; left untouched. */
    public record Reused(String name, List<Path> files) implements Outcome {
        public Reused {
            files = List.copyOf(files);
        }
    }

    /** Failed a check; nothing was written for it, and the caller decides what to do. */
    public record Problem(String name, List<Finding> findings) implements Outcome {
        public Problem {
            findings = List.copyOf(findings);
        }

        public boolean has(Check check) {
            return findings.stream().anyMatch(finding -> finding.check() == check);
        }

        @Override
        public String toString() {
            return name + ": " + findings.stream().map(Finding::toString).collect(Collectors.joining("; "));
        }
    }

    /** One failed check: which, on which file, and the details. */
    public record Finding(Check check, Path file, String detail) {
        @Override
        public String toString() {
            return file + ": " + detail + " [" + check + "]";
        }
    }

    public boolean ok() {
        return problems().isEmpty();
    }

    public List<Problem> problems() {
        return outcomes.stream()
                .flatMap(outcome -> outcome instanceof Problem problem ? Stream.of(problem) : Stream.empty())
                .toList();
    }

    public Optional<Outcome> outcome(String name) {
        return outcomes.stream().filter(outcome -> outcome.name().equals(name)).findFirst();
    }

    /** One line per problem, for error output. */
    public String describeProblems() {
        return problems().stream().map(Problem::toString).collect(Collectors.joining("\n"));
    }
}
