package dev.slipway.agent.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probes of one running container, each on its own virtual thread at its own period after its
 * initial delay. Liveness and readiness wait until the startup probe has passed. Every change of
 * result calls {@code changed}, which wakes the pod worker.
 */
final class ContainerProbes implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ContainerProbes.class);

  private final Container container;
  private final String containerId;
  private final String podIp;
  private final Prober prober;
  private final Runnable changed;
  private final ProbeTracker startup;
  private final ProbeTracker liveness;
  private final ProbeTracker readiness;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch startedLatch = new CountDownLatch(1);

  ContainerProbes(Container container, String containerId, String podIp, Prober prober, Runnable changed) {
    this.container = container;
    this.containerId = containerId;
    this.podIp = podIp;
    this.prober = prober;
    this.changed = changed;
    this.startup = container.getStartupProbe() == null ? null : new ProbeTracker(ProbeTracker.Kind.STARTUP, container.getStartupProbe());
    this.liveness = container.getLivenessProbe() == null ? null : new ProbeTracker(ProbeTracker.Kind.LIVENESS, container.getLivenessProbe());
    this.readiness = container.getReadinessProbe() == null ? null : new ProbeTracker(ProbeTracker.Kind.READINESS, container.getReadinessProbe());
    if (startup == null) {
      startedLatch.countDown();
    }
    if (startup != null) {
      threads.add(Thread.ofVirtual().name("probe-startup-" + container.getName()).start(() -> loop(container.getStartupProbe(), startup, "startup", false)));
    }
    if (liveness != null) {
      threads.add(Thread.ofVirtual().name("probe-liveness-" + container.getName()).start(() -> loop(container.getLivenessProbe(), liveness, "liveness", true)));
    }
    if (readiness != null) {
      threads.add(Thread.ofVirtual().name("probe-readiness-" + container.getName()).start(() -> loop(container.getReadinessProbe(), readiness, "readiness", true)));
    }
  }

  String containerId() {
    return containerId;
  }

  boolean started() {
    return startup == null || startup.passing();
  }

  boolean ready() {
    return started() && (readiness == null || readiness.passing());
  }

  /** A liveness or startup probe failed past its threshold: the container must be restarted. */
  boolean unhealthy() {
    return (liveness != null && liveness.failedOut()) || (startup != null && !startup.passing() && startup.failedOut());
  }

  private void loop(Probe probe, ProbeTracker tracker, String kind, boolean afterStartup) {
    try {
      if (afterStartup && !startedLatch.await(1, TimeUnit.DAYS)) {
        return;
      }
      if (stopped.await(Prober.positive(probe.getInitialDelaySeconds(), 0) * 1000L, TimeUnit.MILLISECONDS)) {
        return;
      }
      Duration period = Duration.ofSeconds(Prober.positive(probe.getPeriodSeconds(), 10));
      while (stopped.getCount() > 0) {
        boolean wasPassing = tracker.passing();
        boolean wasFailedOut = tracker.failedOut();
        Prober.Outcome outcome = prober.run(probe, container, containerId, podIp);
        boolean passing = tracker.record(outcome.success());
        if (!outcome.success()) {
          log.info("{} probe of container {} failed: {}", kind, container.getName(), outcome.detail());
        }
        if (tracker == startup && passing) {
          startedLatch.countDown();
          changed.run();
          return; // a startup probe stops once it has passed
        }
        if (passing != wasPassing || tracker.failedOut() != wasFailedOut) {
          changed.run();
        }
        if (stopped.await(period.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopped.countDown();
    startedLatch.countDown();
    threads.forEach(Thread::interrupt);
  }
}
