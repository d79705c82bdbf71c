package dev.slipway.controlplane.controller;

import dev.slipway.controlplane.Backoff;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that runs on one master at a time: contends for a Lease through {@link LeaderElection} and,
 * each time it wins, builds a fresh {@link Term} and starts it off the elector's thread; losing the
 * lease (or closing) closes the term. A term whose start fails, or whose work dies later, is closed
 * and the lease released at once, so that another candidate leads instead of a leader that does nothing; this one contends
 * again after a back-off. The controller manager, the scheduler and the CSR signer are three of these.
 */
public final class LeaderElectedService implements AutoCloseable {

    /** The work of one term as leader (informers, caches, controllers), built afresh for each term. */
    public interface Term extends AutoCloseable {
        /** May block until caches sync; runs on its own thread, and {@link #close()} may come while it runs. */
        void start();

        /**
         * Completes exceptionally if the term's work dies on its own after {@link #start()} succeeded, so that the leader
         * steps down as after a failed start; a normal completion means nothing. By default a term never reports this.
         */
        default CompletionStage<Void> failure() {
            return new CompletableFuture<>();
        }

        @Override
        void close();

        /** The first of these informers to stop on an error, as a {@link #failure()}; an informer closed by the term does not count. */
        static CompletionStage<Void> firstFailure(List<? extends SharedIndexInformer<?>> informers) {
            CompletableFuture<Void> failed = new CompletableFuture<>();
            for (SharedIndexInformer<?> informer : informers) {
                informer.stopped().whenComplete((ignored, error) -> {
                    if (error != null) {
                        failed.completeExceptionally(new IllegalStateException("the " + informer.getApiTypeClass().getSimpleName()
                                + " informer stopped: " + error, error));
                    }
                });
            }
            return failed;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(LeaderElectedService.class);
    /** Up to this share of the back-off is added at random, so that candidates that failed together do not return together. */
    private static final double JITTER = 0.2;

    private final String name;
    private final KubernetesClient client;
    private final Function<KubernetesClient, ? extends Term> terms;
    private final LeaderElection election;
    /** After a failed term: from one retry period doubling up to one lease duration. */
    private final Backoff backoff;
    private Term term;
    /** Failed terms in a row: reset when a term ends normally (lease lost, closed) or after it worked a lease duration. */
    private int failedTerms;

    private LeaderElectedService(String name, KubernetesClient client, LeaderElection.Settings lease,
                                 Function<KubernetesClient, ? extends Term> terms) {
        this.name = name;
        this.client = client;
        this.terms = terms;
        this.backoff = new Backoff(lease.retryPeriod(), lease.leaseDuration());
        // lead() is synchronized too: a term that fails at once still finds the election to step down from.
        synchronized (this) {
            this.election = LeaderElection.start(client, lease, this::lead, this::follow);
        }
    }

    /**
     * Contends with a client the caller keeps and closes.
     *
     * @param name  what runs, e.g. {@code scheduler}: names the start thread and the logs
     * @param terms builds one term as leader from the client
     */
    public static LeaderElectedService start(String name, KubernetesClient client, LeaderElection.Settings lease,
                                             Function<KubernetesClient, ? extends Term> terms) {
        return new LeaderElectedService(name, client, lease, terms);
    }

    /** Whether this service holds the lease and runs a term. */
    public boolean isLeading() {
        return election.isLeader();
    }

    private synchronized void lead() {
        if (term != null) {
            return;
        }
        Term started = terms.apply(client);
        term = started;
        // Off the elector's thread: syncing the caches must not delay lease renewal.
        Thread.ofVirtual().name(name + "-start").start(() -> run(started));
    }

    private void run(Term started) {
        try {
            started.start();
        } catch (RuntimeException e) {
            stepDown(started, "did not start", false, e);
            return;
        }
        long startedAt = System.nanoTime();
        // Off the thread that reports the failure (an informer's): stepping down closes that informer and writes the lease.
        started.failure().whenCompleteAsync((ignored, error) -> {
            if (error != null) {
                boolean workedAWhile = System.nanoTime() - startedAt > election.settings().leaseDuration().toNanos();
                stepDown(started, "stopped working", workedAWhile, error);
            }
        }, task -> Thread.ofVirtual().name(name + "-step-down").start(task));
    }

    /** A leader that cannot work must not keep the lease: stop the term, release the lease, contend again later. */
    private void stepDown(Term failed, String what, boolean afterWorking, Throwable cause) {
        Duration pause;
        int failures;
        synchronized (this) {
            if (term != failed) {
                log.debug("the {} {} after its term ended: {}", name, what, cause.toString());
                return;
            }
            term = null;
            // A term that worked a while before it died starts a new run of failures; one that dies at once extends the run.
            failedTerms = afterWorking ? 1 : failedTerms + 1;
            failures = failedTerms;
            pause = jittered(backoff.delay(failures));
        }
        LeaderElection.Settings lease = election.settings();
        log.error("the {} {} as leader of lease {}/{} ({} failure(s) in a row): {}; it stops, releases the lease and contends again in {} ms",
                name, what, lease.namespace(), lease.leaseName(), failures, cause.toString(), pause.toMillis(), cause);
        closeQuietly(failed);
        election.stepDown(pause);
    }

    private static Duration jittered(Duration delay) {
        return delay.plusMillis((long) (delay.toMillis() * JITTER * ThreadLocalRandom.current().nextDouble()));
    }

    private void closeQuietly(Term failed) {
        try {
            failed.close();
        } catch (RuntimeException e) {
            log.warn("stopping the {} after it failed failed too: {}", name, e.toString());
        }
    }

    private synchronized void follow() {
        if (term != null) {
            term.close();
            term = null;
            failedTerms = 0;
        }
    }

    @Override
    public void close() {
        election.close();
        follow();
    }
}
