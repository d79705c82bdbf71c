package dev.slipway.controlplane.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contends for a {@code coordination.k8s.io/v1} Lease with fabric8's {@code LeaderElector}: runs
 * {@code onStartLeading} once this identity holds the lease and {@code onStopLeading} when it loses
 * it (renewal failed past the deadline), steps down or is closed (in the last two the lease is
 * released so another candidate takes over at once). After a loss it contends again; after a
 * step-down, once its pause is over.
 */
public final class LeaderElection implements AutoCloseable {

    /** Where the lease lives, who we are, and Kubernetes' usual timings. */
    public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration, Duration renewDeadline,
                           Duration retryPeriod) {

        public Settings {
            if (identity == null || identity.isBlank()) {
                throw new IllegalArgumentException("leader election needs an identity (lease " + namespace + "/" + leaseName + ")");
            }
            if (renewDeadline.compareTo(leaseDuration) >= 0 || retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("leader election needs retry < renew deadline < lease duration, got "
                        + retryPeriod + ", " + renewDeadline + ", " + leaseDuration);
            }
        }

        /** Lease duration 15 s, renew deadline 10 s, retry every 2 s. */
        public static Settings standard(String namespace, String leaseName, String identity) {
            return new Settings(namespace, leaseName, identity, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final Settings settings;
    private final Runnable onStartLeading;
    private final Runnable onStopLeading;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final Thread contender;
    private volatile boolean closed;
    private volatile CompletableFuture<?> round = CompletableFuture.completedFuture(null);
    /** {@link System#nanoTime()} before which no new round starts: a retry period after a round, longer after a step-down. */
    private volatile long resumeAt = System.nanoTime();

    private LeaderElection(KubernetesClient client, Settings settings, Runnable onStartLeading, Runnable onStopLeading) {
        this.client = client;
        this.settings = settings;
        this.onStartLeading = onStartLeading;
        this.onStopLeading = onStopLeading;
        this.contender = Thread.ofVirtual().name("leader-election-" + settings.leaseName()).unstarted(this::contend);
    }

    public static LeaderElection start(KubernetesClient client, Settings settings, Runnable onStartLeading, Runnable onStopLeading) {
        LeaderElection election = new LeaderElection(client, settings, onStartLeading, onStopLeading);
        election.contender.start();
        return election;
    }

    public boolean isLeader() {
        return leading.get();
    }

    public Settings settings() {
        return settings;
    }

    private void contend() {
        while (!closed) {
            if (!sitOut()) {
                return;
            }
            var config = new LeaderElectionConfigBuilder().withName(settings.leaseName())
                    .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                    .withLeaseDuration(settings.leaseDuration()).withRenewDeadline(settings.renewDeadline())
                    .withRetryPeriod(settings.retryPeriod()).withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                            leader -> log.info("lease {}/{} is held by {}", settings.namespace(), settings.leaseName(), leader)))
                    .build();
            CompletableFuture<?> current;
            synchronized (this) {
                if (closed) {
                    return;
                }
                current = client.leaderElector().withConfig(config).build().start();
                round = current;
            }
            try {
                current.join();
            } catch (CancellationException e) {
                // closed or stepped down: the canceller has said why
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("leader election for {} ended with an error, contending again: {}", settings.leaseName(), e.toString());
                }
            }
            pauseFor(settings.retryPeriod());
        }
    }

    /** Waits until {@link #resumeAt}; false when interrupted (closing). */
    private boolean sitOut() {
        long wait = resumeAt - System.nanoTime();
        if (wait <= 0) {
            return true;
        }
        try {
            Thread.sleep(Duration.ofNanos(wait));
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private synchronized void pauseFor(Duration pause) {
        long next = System.nanoTime() + pause.toNanos();
        if (next - resumeAt > 0) { // nanoTime values compare by difference only
            resumeAt = next;
        }
    }

    /**
     * Gives up leadership now as {@link #close()} does ({@code onStopLeading} runs, the lease is released so another
     * candidate takes over at once), and contends again only after {@code pause}. Does nothing once closed.
     */
    public void stepDown(Duration pause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            pauseFor(pause);
            round.cancel(true);
        }
        stopped();
    }

    private void started() {
        if (leading.compareAndSet(false, true)) {
            log.info("{} became the leader of {}/{}", settings.identity(), settings.namespace(), settings.leaseName());
            onStartLeading.run();
        }
    }

    private void stopped() {
        if (leading.compareAndSet(true, false)) {
            log.info("{} stopped leading {}/{}", settings.identity(), settings.namespace(), settings.leaseName());
            onStopLeading.run();
        }
    }

    /** Stops contending; if leading, stops the work and releases the lease. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            round.cancel(true);
        }
        contender.interrupt();
        try {
            contender.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped();
    }
}
