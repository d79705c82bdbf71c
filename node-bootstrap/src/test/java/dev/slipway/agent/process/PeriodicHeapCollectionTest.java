package dev.slipway.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicHeapCollectionTest {

  @Test
  void collectsEveryPeriodUntilClosed() throws InterruptedException {
    CountDownLatch three = new CountDownLatch(3);
    AtomicInteger collections = new AtomicInteger();
    PeriodicHeapCollection periodic = new PeriodicHeapCollection(Duration.ofMillis(20), () -> {
      collections.incrementAndGet();
      three.countDown();
    });

    assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
    periodic.close();
    int atClose = collections.get();
    TimeUnit.MILLISECONDS.sleep(100);

    assertThat(collections.get()).isEqualTo(atClose);
  }

  @Test
  void runsOnlyUnderTheSerialCollector() {
    assertThat(PeriodicHeapCollection.runsSerialCollector(List.of("Copy", "MarkSweepCompact"))).isTrue();
    assertThat(PeriodicHeapCollection.runsSerialCollector(List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation"))).isFalse();
  }
}
