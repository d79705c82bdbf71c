package dev.slipway.agent.snapshot;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.EtcdMemberConfig;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's snapshot schedule on an etcd member: every interval, snapshot this member if it is healthy, then prune. */
public final class PeriodicSnapshots implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeriodicSnapshots.class);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);

  /** What one scheduled run did. */
  public sealed interface Outcome {
    record Taken(SnapshotMetadata metadata, int pruned) implements Outcome {}
    record Skipped(String reason) implements Outcome {}
    record Failed(String error) implements Outcome {}
  }

  private final AgentConfig config;
  private final EtcdMemberConfig member;
  private final SnapshotWriter writer;
  private final AtomicInteger taken = new AtomicInteger();
  private ScheduledExecutorService scheduler;

  public PeriodicSnapshots(AgentConfig config) {
    this.config = config;
    this.member = config.etcd().orElseThrow(() -> new IllegalArgumentException("host " + config.host().name() + " runs no etcd member"));
    this.writer = new SnapshotWriter(config.paths().snapshotsDir(), config.cluster());
  }

  public synchronized void start() {
    Duration interval = config.snapshots().interval();
    scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("etcd-snapshots").daemon().factory());
    scheduler.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    log.info("etcd snapshots every {}s into {}, keeping {}", interval.toSeconds(), config.paths().snapshotsDir(), config.snapshots().keep());
  }

  /** How many snapshots the schedule has taken so far. */
  public int taken() {
    return taken.get();
  }

  /** One run: skipped when this member is not healthy (no quorum, not started), else snapshot and prune. */
  public Outcome runOnce() {
    try (Client client = EtcdAccess.ofMember(member).connect()) {
      if (!EtcdAccess.healthy(client, HEALTH_TIMEOUT)) {
        log.warn("skipping etcd snapshot: member {} at {} is not healthy", member.name(), member.clientUrl());
        return new Outcome.Skipped("member " + member.name() + " is not healthy");
      }
      SnapshotMetadata metadata = writer.save(client);
      int pruned = writer.prune(config.snapshots().keep()).size();
      taken.incrementAndGet();
      log.info("etcd snapshot {} ({} bytes, revision {}); pruned {}", metadata.file(), metadata.size(), metadata.revision(), pruned);
      return new Outcome.Taken(metadata, pruned);
    } catch (RuntimeException e) {
      log.error("etcd snapshot failed: {}", e.getMessage(), e);
      return new Outcome.Failed(e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
