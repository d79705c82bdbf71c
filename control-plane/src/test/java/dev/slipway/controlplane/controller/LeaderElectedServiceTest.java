package dev.slipway.controlplane.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.controlplane.testing.ApiCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leader-elected work against a real etcd and the real API server: a leader whose start fails steps down. */
class LeaderElectedServiceTest {

    /** Long enough that a takeover well within it proves the lease was released, not left to expire. */
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration WITHIN_LEASE = Duration.ofSeconds(20);
    private static final AtomicInteger leases = new AtomicInteger();

    private static ApiCluster cluster;
    private static KubernetesClient admin;

    @BeforeAll
    static void start() {
        cluster = ApiCluster.start();
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    /** One contender: its terms fail to start while it is broken, and otherwise work until closed or until {@code death} fails. */
    private static final class Candidate implements AutoCloseable {
        final String identity;
        final AtomicBoolean broken;
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicBoolean working = new AtomicBoolean();
        final CompletableFuture<Void> death = new CompletableFuture<>();
        final KubernetesClient client = cluster.admin();
        final LeaderElectedService service;

        Candidate(String identity, String lease, boolean broken) {
            this.identity = identity;
            this.broken = new AtomicBoolean(broken);
            this.service = LeaderElectedService.start(identity, client,
                    new LeaderElection.Settings("kube-system", lease, identity, LEASE, Duration.ofSeconds(40), Duration.ofSeconds(1)),
                    api -> new LeaderElectedService.Term() {
                        @Override
                        public void start() {
                            starts.incrementAndGet();
                            if (Candidate.this.broken.get()) {
                                throw new IllegalStateException(identity + "'s caches did not sync");
                            }
                            working.set(true);
                        }

                        @Override
                        public CompletionStage<Void> failure() {
                            return death;
                        }

                        @Override
                        public void close() {
                            working.set(false);
                            closes.incrementAndGet();
                        }
                    });
        }

        @Override
        public void close() {
            service.close();
            client.close();
        }
    }

    private static String newLease() {
        return "leader-test-" + leases.incrementAndGet();
    }

    private static String holder(String lease) {
        Lease current = admin.leases().inNamespace("kube-system").withName(lease).get();
        return current == null || current.getSpec().getHolderIdentity() == null ? "" : current.getSpec().getHolderIdentity();
    }

    /** As fabric8 judges it: a released lease keeps its holder's name but lasts one second from its release. */
    private static boolean isFree(String lease) {
        LeaseSpec spec = admin.leases().inNamespace("kube-system").withName(lease).get().getSpec();
        return spec.getHolderIdentity() == null || spec.getHolderIdentity().isEmpty()
                || !spec.getRenewTime().plusSeconds(spec.getLeaseDurationSeconds()).isAfter(ZonedDateTime.now());
    }

    @Test
    void aLeaderWhoseStartFailsReleasesTheLeaseToAnotherAndLeadsAgainOnceItStepsDown() {
        String lease = newLease();
        try (Candidate first = new Candidate("first", lease, true)) {
            await().atMost(WITHIN_LEASE).until(() -> first.starts.get() >= 1);

            try (Candidate second = new Candidate("second", lease, false)) {
                await().atMost(WITHIN_LEASE).until(() -> second.working.get() && holder(lease).equals("second"));

                assertThat(first.service.isLeading()).isFalse();
                assertThat(first.working).isFalse();
                assertThat(first.closes.get()).as("failed terms closed").isEqualTo(first.starts.get());
                first.broken.set(false);
            }

            await().atMost(WITHIN_LEASE).until(() -> first.working.get() && holder(lease).equals("first"));
            assertThat(first.service.isLeading()).isTrue();
        }
    }

    @Test
    void aLoneCandidateRetriesAFailedStartUntilItWorks() {
        String lease = newLease();
        try (Candidate alone = new Candidate("alone", lease, true)) {
            await().atMost(WITHIN_LEASE).until(() -> alone.starts.get() >= 2);

            alone.broken.set(false);

            await().atMost(WITHIN_LEASE).until(alone.working::get);
            assertThat(alone.closes.get()).as("failed terms closed").isEqualTo(alone.starts.get() - 1);
            assertThat(holder(lease)).isEqualTo("alone");
        }
    }

    @Test
    void aLeaderWhoseWorkDiesAfterItStartedReleasesTheLeaseToAnother() {
        String lease = newLease();
        try (Candidate first = new Candidate("first", lease, false)) {
            await().atMost(WITHIN_LEASE).until(first.working::get);
            try (Candidate second = new Candidate("second", lease, false)) {

                first.death.completeExceptionally(new IllegalStateException("the Pod informer stopped"));

                await().atMost(WITHIN_LEASE).until(() -> second.working.get() && holder(lease).equals("second"));
                assertThat(first.working).isFalse();
                assertThat(first.service.isLeading()).isFalse();
            }
        }
    }

    @Test
    void closingALeaderStopsItsTermAndReleasesTheLease() {
        String lease = newLease();
        Candidate only = new Candidate("only", lease, false);
        await().atMost(WITHIN_LEASE).until(only.working::get);

        only.close();

        assertThat(only.working).isFalse();
        assertThat(List.of(only.starts.get(), only.closes.get())).containsExactly(1, 1);
        await().atMost(WITHIN_LEASE).until(() -> isFree(lease));
    }
}
