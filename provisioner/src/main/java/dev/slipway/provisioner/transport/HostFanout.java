package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Runs one action per host in parallel on virtual threads, at most {@code parallelism} at a time.
 * One host's failure never stops the others: every host gets exactly one {@link HostOutcome}, in
 * the order the targets were given.
 */
public final class HostFanout {

    public static final int DEFAULT_PARALLELISM = 10;

    /** Hears each host start and finish; called from the hosts' threads, so it must be thread-safe. */
    public interface Listener {
        default void started(String host) { }

        default void finished(HostOutcome<?> outcome) { }
    }

    /** One host's work; may throw, which becomes that host's {@link HostOutcome.Failed}. */
    @FunctionalInterface
    public interface HostAction<T, R> {
        R apply(T target) throws Exception;
    }

    private final int parallelism;
    private final Listener listener;

    public HostFanout(int parallelism, Listener listener) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Ten at a time, nobody listening. */
    public HostFanout() {
        this(DEFAULT_PARALLELISM, new Listener() { });
    }

    /**
     * Runs {@code action} for every target and waits for all of them.
     *
     * @param nameOf the host name of a target, for the outcome and the listener
     * @throws InterruptedException when the calling thread is interrupted; running actions are
     *                              interrupted too
     */
    public <T, R> List<HostOutcome<R>> run(List<? extends T> targets, Function<? super T, String> nameOf,
                                           HostAction<? super T, ? extends R> action) throws InterruptedException {
        Semaphore permits = new Semaphore(parallelism);
        List<Future<HostOutcome<R>>> futures = new ArrayList<>(targets.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T target : targets) {
                String host = nameOf.apply(target);
                futures.add(threads.submit(() -> runOne(permits, host, target, action)));
            }
            List<HostOutcome<R>> outcomes = new ArrayList<>(futures.size());
            try {
                for (Future<HostOutcome<R>> future : futures) {
                    outcomes.add(awaitOutcome(future));
                }
            } catch (InterruptedException e) {
                // Cancel before the executor's close waits, or an interrupted caller waits for every host.
                threads.shutdownNow();
                throw e;
            }
            return outcomes;
        }
    }

    private <T, R> HostOutcome<R> runOne(Semaphore permits, String host, T target,
                                         HostAction<? super T, ? extends R> action) throws InterruptedException {
        permits.acquire();
        try {
            listener.started(host);
            long start = System.nanoTime();
            HostOutcome<R> outcome;
            try {
                outcome = new HostOutcome.Succeeded<>(host, action.apply(target), Duration.ofNanos(System.nanoTime() - start));
            } catch (Exception e) {
                outcome = new HostOutcome.Failed<>(host, e, Duration.ofNanos(System.nanoTime() - start));
            }
            listener.finished(outcome);
            return outcome;
        } finally {
            permits.release();
        }
    }

    private static <R> HostOutcome<R> awaitOutcome(Future<HostOutcome<R>> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            // runOne turns every Exception into an outcome; what is left is an Error: let it fly.
            throw new IllegalStateException("host action died: " + e.getCause(), e.getCause());
        }
    }
}
