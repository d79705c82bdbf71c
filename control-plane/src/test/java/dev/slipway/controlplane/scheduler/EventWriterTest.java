package dev.slipway.controlplane.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventWriterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aWriteRunsOffTheCallersThread() {
        EventWriter writer = new EventWriter(4);
        AtomicReference<Thread> ranOn = new AtomicReference<>();

        writer.submit("event", () -> ranOn.set(Thread.currentThread()));

        await().atMost(WAIT).until(() -> ranOn.get() != null);
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
    }

    @Test
    void oneWriteMoreThanTheLimitWaitsForAFreeSlot() throws Exception {
        EventWriter writer = new EventWriter(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Runnable blocked = () -> {
            started.incrementAndGet();
            awaitQuietly(release);
        };
        writer.submit("first", blocked);
        writer.submit("second", blocked);
        await().atMost(WAIT).until(() -> started.get() == 2);

        Thread third = Thread.ofVirtual().start(() -> writer.submit("third", started::incrementAndGet));

        await().atMost(WAIT).until(() -> third.getState() == Thread.State.WAITING);
        assertThat(started).hasValue(2);
        release.countDown();
        third.join(WAIT.toMillis());
        await().atMost(WAIT).until(() -> started.get() == 3);
    }

    @Test
    void aFailedWriteIsNotThrownAndFreesItsSlot() {
        EventWriter writer = new EventWriter(1);
        AtomicInteger written = new AtomicInteger();

        writer.submit("failing", () -> {
            throw new IllegalStateException("the API server refused");
        });
        writer.submit("next", written::incrementAndGet);

        await().atMost(WAIT).until(() -> written.get() == 1);
    }

    @Test
    void aWriterWithoutSlotsIsRefused() {
        assertThatThrownBy(() -> new EventWriter(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one slot");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
