package dev.slipway.provisioner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class HostFanoutTest {

    @Test
    void neverMoreHostsAtOnceThanTheBound() throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger mostActive = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        List<String> hosts = IntStream.range(0, 20).mapToObj(i -> "host-" + i).toList();
        HostFanout fanout = new HostFanout(3, new HostFanout.Listener() { });

        CompletableFuture<List<HostOutcome<String>>> running = CompletableFuture.supplyAsync(() -> {
            try {
                return fanout.run(hosts, Function.identity(), host -> {
                    mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                    gate.await();
                    active.decrementAndGet();
                    return host;
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> active.get() == 3);
        gate.countDown();

        assertThat(running.get()).hasSize(20).allMatch(outcome -> outcome instanceof HostOutcome.Succeeded<String>);
        assertThat(mostActive.get()).isEqualTo(3);
    }

    @Test
    void oneHostFailingLeavesTheOthersToFinishAndKeepsTheOrder() throws Exception {
        List<String> hosts = List.of("master-1", "master-2", "master-3", "worker-1");
        List<String> started = new CopyOnWriteArrayList<>();
        List<HostOutcome<?>> finished = new CopyOnWriteArrayList<>();
        HostFanout fanout = new HostFanout(2, new HostFanout.Listener() {
            @Override
            public void started(String host) {
                started.add(host);
            }

            @Override
            public void finished(HostOutcome<?> outcome) {
                finished.add(outcome);
            }
        });

        List<HostOutcome<Integer>> outcomes = fanout.run(hosts, Function.identity(), host -> {
            if (host.equals("master-2")) {
                throw new TransportException.ConnectionLost(host, "link down", null);
            }
            return host.length();
        });

        assertThat(outcomes).extracting(HostOutcome::host).containsExactlyElementsOf(hosts);
        assertThat(outcomes.get(1)).isInstanceOfSatisfying(HostOutcome.Failed.class,
                failed -> assertThat(failed.error()).hasMessageContaining("link down"));
        assertThat(outcomes).filteredOn(o -> o instanceof HostOutcome.Succeeded<Integer>).hasSize(3);
        assertThat(started).containsExactlyInAnyOrderElementsOf(hosts);
        assertThat(finished).hasSize(4).allSatisfy(outcome -> assertThat(outcome.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO));
    }

    @Test
    void noHostsMeansNoOutcomes() throws Exception {
        assertThat(new HostFanout().run(List.<String>of(), Function.identity(), host -> host)).isEmpty();
    }
}
