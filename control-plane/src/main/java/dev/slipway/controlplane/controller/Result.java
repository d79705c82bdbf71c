package dev.slipway.controlplane.controller;

import java.time.Duration;
import java.util.Objects;

/** What a reconcile asks for next. Failures are exceptions, which the controller retries with back-off. */
public sealed interface Result {

    /** The object is as described, until the next event about it. */
    record Done() implements Result {
    }

    /** Call again after a delay, e.g. when a pod becomes available only after {@code minReadySeconds}. */
    record RequeueAfter(Duration delay) implements Result {
        public RequeueAfter {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("requeue delay must not be negative: " + delay);
            }
        }
    }

    Result DONE = new Done();

    static Result requeueAfter(Duration delay) {
        return new RequeueAfter(delay);
    }

    /** The sooner of two requests: {@code Done} only when both are. */
    default Result sooner(Result other) {
        return switch (this) {
            case Done done -> other;
            case RequeueAfter mine -> switch (other) {
                case Done done -> mine;
                case RequeueAfter theirs -> mine.delay().compareTo(theirs.delay()) <= 0 ? mine : theirs;
            };
        };
    }
}
