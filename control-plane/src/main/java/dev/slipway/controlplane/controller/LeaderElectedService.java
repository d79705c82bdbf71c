package dev.slipway.controlplane.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that runs on one master at a time: contends for a Lease through {@link LeaderElection} and,
 * each time it wins, builds a fresh {@link Term} and starts it off the elector's thread; losing the
 * lease (or closing) closes the term. The controller manager and the scheduler are two of these.
 */
public final class LeaderElectedService implements AutoCloseable {

    /** The work of one term as leader (informers, caches, controllers), built afresh for each term. */
    public interface Term extends AutoCloseable {
        /** May block until caches sync; runs on its own thread, and {@link #close()} may come while it runs. */
        void start();

        @Override
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(LeaderElectedService.class);

    private final String name;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final Function<KubernetesClient, ? extends Term> terms;
    private final LeaderElection election;
    private Term term;

    private LeaderElectedService(String name, KubernetesClient client, boolean ownsClient, LeaderElection.Settings lease,
                                 Function<KubernetesClient, ? extends Term> terms) {
        this.name = name;
        this.client = client;
        this.ownsClient = ownsClient;
        this.terms = terms;
        this.election = LeaderElection.start(client, lease, this::lead, this::follow);
    }

    /**
     * Contends with a client the caller keeps and closes.
     *
     * @param name  what runs, e.g. {@code scheduler}: names the start thread and the logs
     * @param terms builds one term as leader from the client
     */
    public static LeaderElectedService start(String name, KubernetesClient client, LeaderElection.Settings lease,
                                             Function<KubernetesClient, ? extends Term> terms) {
        return new LeaderElectedService(name, client, false, lease, terms);
    }

    /** Connects with a kubeconfig file and contends; the client is closed with the service. */
    public static LeaderElectedService start(String name, Path kubeconfig, LeaderElection.Settings lease,
                                             Function<KubernetesClient, ? extends Term> terms) {
        KubernetesClient client = connect(name, kubeconfig);
        try {
            return new LeaderElectedService(name, client, true, lease, terms);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static KubernetesClient connect(String name, Path kubeconfig) {
        String content;
        try {
            content = Files.readString(kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + name + "'s kubeconfig " + kubeconfig, e);
        }
        Config config = Config.fromKubeconfig(content);
        // The API server refuses WebSocket watches with 503, which fabric8 retries for ~19 s before it falls back to HTTP.
        config.setOnlyHttpWatches(true);
        return new KubernetesClientBuilder().withConfig(config).build();
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
        Thread.ofVirtual().name(name + "-start").start(() -> {
            try {
                started.start();
            } catch (RuntimeException e) {
                log.error("the {} did not start: {}", name, e.toString(), e);
            }
        });
    }

    private synchronized void follow() {
        if (term != null) {
            term.close();
            term = null;
        }
    }

    @Override
    public void close() {
        election.close();
        follow();
        if (ownsClient) {
            client.close();
        }
    }
}
