package dev.slipway.controlplane.controller;

import dev.slipway.controlplane.Backoff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkQueueTest {

    private static final ObjectRef WEB = new ObjectRef("default", "web");
    private static final ObjectRef DB = new ObjectRef("default", "db");

    @Test
    void aKeyAddedManyTimesBeforeItIsTakenIsHandedOutOnce() {
        WorkQueue queue = new WorkQueue();

        queue.add(WEB);
        queue.add(WEB);
        queue.add(DB);
        queue.add(WEB);

        assertThat(queue.poll()).contains(WEB);
        assertThat(queue.poll()).contains(DB);
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void aKeyAddedWhileBeingWorkedOnIsHeldBackUntilDone() {
        WorkQueue queue = new WorkQueue();
        queue.add(WEB);
        ObjectRef taken = queue.poll().orElseThrow();

        queue.add(WEB);
        Optional<ObjectRef> whileProcessing = queue.poll();
        queue.done(taken);

        assertThat(whileProcessing).isEmpty();
        assertThat(queue.poll()).contains(WEB);
    }

    @Test
    void aKeyDoneWithoutBeingAddedAgainIsNotHandedOutAgain() {
        WorkQueue queue = new WorkQueue();
        queue.add(WEB);

        queue.done(queue.poll().orElseThrow());

        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void aDelayedKeyIsNotDueBeforeItsTime() {
        WorkQueue queue = new WorkQueue();

        queue.addAfter(WEB, Duration.ofHours(1));

        assertThat(queue.poll()).isEmpty();
        assertThat(queue.length()).isZero();
    }

    @Test
    void aDelayedKeyBecomesDueAndWakesAWaitingTaker() {
        WorkQueue queue = new WorkQueue();
        CompletableFuture<Optional<ObjectRef>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        queue.addAfter(WEB, Duration.ofMillis(50));

        await().atMost(Duration.ofSeconds(10)).until(taken::isDone);
        assertThat(taken.join()).contains(WEB);
    }

    @Test
    void theEarlierOfTwoDelaysWins() {
        WorkQueue queue = new WorkQueue();

        queue.addAfter(WEB, Duration.ofHours(1));
        queue.addAfter(WEB, Duration.ofMillis(10));

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.poll().isPresent());
    }

    @Test
    void failuresAreCountedUntilForgotten() {
        WorkQueue queue = new WorkQueue(new Backoff(Duration.ofHours(1), Duration.ofHours(2)));

        queue.addRateLimited(WEB);
        queue.addRateLimited(WEB);
        queue.addRateLimited(WEB);
        int counted = queue.failures(WEB);
        queue.forget(WEB);

        assertThat(counted).isEqualTo(3);
        assertThat(queue.failures(WEB)).isZero();
        assertThat(queue.poll()).as("a rate-limited key waits for its back-off").isEmpty();
    }

    @Test
    void closingWakesTakersWithNothing() throws Exception {
        WorkQueue queue = new WorkQueue();
        CompletableFuture<Optional<ObjectRef>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        queue.close();
        queue.add(WEB);

        await().atMost(Duration.ofSeconds(10)).until(taken::isDone);
        assertThat(taken.get()).isEmpty();
    }

    @ParameterizedTest(name = "failure {0} waits {1} ms")
    @CsvSource({"0, 0", "1, 5", "2, 10", "3, 20", "10, 2560", "17, 327680", "18, 600000", "1000, 600000"})
    void backoffDoublesPerFailureUpToItsCap(int failures, long millis) {
        Backoff backoff = new Backoff(Duration.ofMillis(5), Duration.ofMinutes(10));

        assertThat(backoff.delay(failures)).isEqualTo(Duration.ofMillis(millis));
    }
}
