package dev.slipway.controlplane.controller;

import dev.slipway.controlplane.Backoff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerTest {

    private static final ObjectRef WEB = new ObjectRef("default", "web");

    @Test
    void noKeyIsReconciledByTwoWorkersAtOnce() {
        Set<ObjectRef> inFlight = ConcurrentHashMap.newKeySet();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        Reconciler slow = key -> {
            if (!inFlight.add(key)) {
                overlapped.set(true);
            }
            for (int spin = 0; spin < 20_000; spin++) {
                Thread.onSpinWait();
            }
            Thread.yield();
            inFlight.remove(key);
            calls.incrementAndGet();
            return Result.DONE;
        };
        try (Controller controller = new Controller("test", slow, 8)) {
            controller.start();

            for (int round = 0; round < 2_000; round++) {
                controller.enqueue(new ObjectRef("default", "key-" + (round % 3)));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() >= 3);
        }
        assertThat(overlapped).as("two workers held the same key").isFalse();
    }

    @Test
    void aFailingReconcileIsRetriedUntilItSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicBoolean succeeded = new AtomicBoolean();
        Reconciler flaky = key -> {
            if (attempts.incrementAndGet() < 4) {
                throw new IllegalStateException("not yet");
            }
            succeeded.set(true);
            return Result.DONE;
        };
        try (Controller controller = new Controller("test", flaky, 1, new Backoff(Duration.ofMillis(1), Duration.ofMillis(20)))) {
            controller.start();

            controller.enqueue(WEB);

            await().atMost(Duration.ofSeconds(10)).untilTrue(succeeded);
        }
        assertThat(attempts).hasValue(4);
    }

    @Test
    void requeueAfterCallsAgain() {
        AtomicInteger calls = new AtomicInteger();
        Reconciler twice = key -> calls.incrementAndGet() == 1 ? Result.requeueAfter(Duration.ofMillis(20)) : Result.DONE;
        try (Controller controller = new Controller("test", twice, 2)) {
            controller.start();

            controller.enqueue(WEB);

            await().atMost(Duration.ofSeconds(10)).untilAtomic(calls, org.hamcrest.Matchers.equalTo(2));
        }
    }

    @Test
    void soonerPicksTheShorterRequeue() {
        Result later = Result.requeueAfter(Duration.ofSeconds(5));
        Result sooner = Result.requeueAfter(Duration.ofSeconds(1));

        assertThat(later.sooner(sooner)).isEqualTo(sooner);
        assertThat(Result.DONE.sooner(later)).isEqualTo(later);
        assertThat(sooner.sooner(Result.DONE)).isEqualTo(sooner);
        assertThat(Result.DONE.sooner(Result.DONE)).isEqualTo(Result.DONE);
    }
}
