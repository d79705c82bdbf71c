package dev.slipway.agent.process;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The serial collector's counterpart of G1's {@code G1PeriodicGCInterval}, which masters run with: a
 * full collection every {@link #PERIOD}. Workers run the agent with the serial collector and a small
 * heap whose old generation shrinks only after a full collection, which a quiet agent may not need for
 * hours; garbage that past work promoted (pod starts, a watch's reconnect) stays resident meanwhile.
 * Seen on a testbed worker with 20 pods: 143,404 KiB resident, then 148,432 KiB a few minutes later,
 * and 138,440 KiB after one full collection (live heap 21 MB of 37 MB committed). Collecting a heap
 * that small takes tens of milliseconds, well under a thousandth of a core once a minute.
 */
public final class PeriodicHeapCollection implements AutoCloseable {

  private static final Duration PERIOD = Duration.ofMinutes(1);
  /** The serial collector's old-generation collector, as the JVM names it. */
  private static final String SERIAL_OLD_COLLECTOR = "MarkSweepCompact";

  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;

  PeriodicHeapCollection(Duration period, Runnable collect) {
    this.thread = Thread.ofPlatform().name("periodic-heap-collection").daemon().start(() -> {
      try {
        while (!closed.await(period.toMillis(), TimeUnit.MILLISECONDS)) {
          collect.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Started when this JVM runs the serial collector (the worker profile); masters' G1 collects periodically by its own flag. */
  public static Optional<PeriodicHeapCollection> startIfSerialCollector() {
    return runsSerialCollector(ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList())
        ? Optional.of(new PeriodicHeapCollection(PERIOD, System::gc)) : Optional.empty();
  }

  static boolean runsSerialCollector(Collection<String> collectorNames) {
    return collectorNames.contains(SERIAL_OLD_COLLECTOR);
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
